# Shared settings for the container scripts: sourced, never run.
# Recipe from the project's containers note (copied 2026-12-06 from the machine's
# shared reference "containers.md"): Debian's podman 4.3 with runc, since crun fails here
# ("setrlimit RLIMIT_NOFILE", then "cgroups in hybrid mode not supported").
PROOF_STATE_DIR=${PROOF_STATE_DIR:-/var/tmp/stratum-container-proof}
mkdir -p "$PROOF_STATE_DIR"
cat > "$PROOF_STATE_DIR/containers.conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
CONF
export CONTAINERS_CONF="$PROOF_STATE_DIR/containers.conf"

NODE_BASE_IMAGE=docker.io/library/node:20-bookworm-slim
REDIS_IMAGE=docker.io/library/redis:7-bookworm
STRATUM_IMAGE=localhost/stratum-pipeline:latest

log() { printf '== %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf 'container proof FAILED: %s\n' "$*" >&2; exit 1; }
