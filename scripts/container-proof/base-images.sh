#!/usr/bin/env bash
# Builds the two base images the Dockerfile and the compose files name, locally, once:
# no image registry is reachable from these machines (recipe: the project's containers note,
# copied 2026-12-06 from the machine's shared reference "containers.md").
#   node:20-bookworm-slim  Debian bookworm (debootstrap minbase) + this machine's Node 20 and npm
#   redis:7-bookworm       that base + Debian's redis-server
# Cached by name: a second run that finds both images does nothing (FORCE=1 rebuilds).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"

if [ "${FORCE:-0}" != 1 ] && podman image exists "$NODE_BASE_IMAGE" && podman image exists "$REDIS_IMAGE"; then
  log "base images present: $NODE_BASE_IMAGE, $REDIS_IMAGE"
  exit 0
fi

node_bin=$(readlink -f "$(command -v node)")
case "$("$node_bin" --version)" in v20.*) ;; *) die "the base image needs Node 20; found $("$node_bin" --version) at $node_bin" ;; esac
npm_dir=$(dirname "$(readlink -f "$(command -v npm)")")/..
[ -f "$npm_dir/bin/npm-cli.js" ] || npm_dir=/usr/lib/node_modules/npm
[ -f "$npm_dir/bin/npm-cli.js" ] || die "npm not found next to node (looked in $npm_dir)"
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}

if [ "${FORCE:-0}" = 1 ] || ! podman image exists "$NODE_BASE_IMAGE"; then
  root=$(mktemp -d /var/tmp/stratum-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm (minbase) from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$PROOF_STATE_DIR/debootstrap.log" 2>&1 \
    || { tail -20 "$PROOF_STATE_DIR/debootstrap.log"; die "debootstrap failed"; }
  install -m 0755 "$node_bin" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$(readlink -f "$npm_dir")" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # The registry is reached through a TLS proxy here: trust the machine's CA bundle (public
  # certificates only; no host credential goes into the image).
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  mkdir -p "$root/usr/local/etc"
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >"$root/usr/local/etc/npmrc"
  # The official image's user: node, uid/gid 1000.
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # The mirror this machine uses, so `apt-get install` inside builds works.
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
  rm -f "$root/etc/apt/sources.list"
  chroot "$root" apt-get clean
  rm -rf "$root/var/lib/apt/lists"/* "$root/var/cache/apt"/*.bin
  log "importing $NODE_BASE_IMAGE"
  tar -C "$root" -c . | podman import --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$NODE_BASE_IMAGE" >/dev/null
  rm -rf "$root"
  trap - EXIT
fi

log "building $REDIS_IMAGE"
podman build --network host --pull=never -t "$REDIS_IMAGE" -f "$here/redis.Containerfile" "$here" >"$PROOF_STATE_DIR/redis-build.log" 2>&1 \
  || { tail -20 "$PROOF_STATE_DIR/redis-build.log"; die "building $REDIS_IMAGE failed"; }
log "base images ready"
