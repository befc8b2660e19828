# stratum-pipeline: one image for every role (worker, writer, producer, dashboard, audit).
# Debian slim (glibc): native modules and the scanner's parsers need it (not Alpine).
# Where no registry is reachable, scripts/container-proof/base-images.sh builds this base
# locally under the same name.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY schema ./schema
COPY src ./src
COPY bench ./bench
COPY test/support ./test/support
# The build writes the scanner bundle and its V8 code cache (dist/src/scanner/); the cache is
# only used by the same Node binary, which is why build and runtime share one base.
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# git from Debian bookworm carries the 2024 clone CVE fixes (2.39.5); ca-certificates for https clones.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
# Optional external scanner: docker build --build-arg PYTHON_SCANNER=stratum-cli==0.3.1 .
# then run with STRATUM_SCANNER=/opt/scanner/bin/stratum.
ARG PYTHON_SCANNER=""
RUN if [ -n "$PYTHON_SCANNER" ]; then \
      apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
      && python3 -m venv /opt/scanner && /opt/scanner/bin/pip install --no-cache-dir "$PYTHON_SCANNER" \
      && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
ENV NODE_ENV=production \
    STRATUM_DATA_DIR=/data \
    STRATUM_WORK_DIR=/work
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
# Strata targets and audit gates: discover and audit read config/ relative to /app.
COPY config ./config
# /data and /work belong to the runtime user, so a named volume mounted there starts out
# writable by it (a bind-mounted host directory must be chowned to 1000:1000, see the runbook).
RUN mkdir -p /data /work && chown -R node:node /data /work
USER node
VOLUME ["/data"]
# Only the dashboard serves HTTP; the compose files enable this check for it and disable it
# for the roles that have no endpoint (workers and the writer show up in Redis instead).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is the init's child under `init: true` and receives SIGTERM directly.
ENTRYPOINT ["node", "/app/dist/src/cli.js"]
CMD ["worker"]
