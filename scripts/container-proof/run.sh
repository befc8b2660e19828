#!/usr/bin/env bash
# The container proof (issue #14 §3), run by CI as root:
#   build the image with podman; start the hub (compose.hub.yml: Redis with a password,
#   writer, dashboard, plus a git daemon serving the test repositories) and two worker
#   "machines" (compose.worker.yml, each its own compose project with nothing shared but the
#   hub's published addresses); scan PROOF_REPOS local repositories end to end; kill one whole
#   worker machine mid-run; check exactly one row per repository; dashboard 200 with and 401
#   without credentials; audit on drain; print throughput per worker machine and the figures
#   the runbook quotes. Exits non-zero on the first thing that does not hold.
#
# Compose: Debian's docker-compose 1.29 against podman's Docker-compatible socket (Debian's
# podman-compose 1.0.3 cannot give a service `network_mode: host`). podman 4.3 runs health
# checks through systemd timers, which these machines lack, so this script runs them itself.
#
# Settings: PROOF_REPOS (300 planned, the missing ones dropped), PROOF_CONCURRENCY (job slots
# per worker machine, 2), PROOF_KEEP=1 keeps the work directory and containers for a look.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=env.sh
. "$here/env.sh"

REPOS=${PROOF_REPOS:-300}
CONCURRENCY=${PROOF_CONCURRENCY:-2}
proof_started=$(date +%s)

"$here/install-tools.sh"
"$here/base-images.sh"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", n / (b - a) }'; }

log "building $STRATUM_IMAGE from $repo"
t0=$(date +%s.%N)
podman build --format docker --network host --pull=never -t "$STRATUM_IMAGE" "$repo" >"$PROOF_STATE_DIR/image-build.log" 2>&1 \
  || { tail -30 "$PROOF_STATE_DIR/image-build.log"; die "image build failed (log: $PROOF_STATE_DIR/image-build.log)"; }
build_s=$(secs "$t0" "$(now)")
image_bytes=$(podman image inspect --format '{{.Size}}' "$STRATUM_IMAGE")
log "image built in ${build_s%.*} s, $((image_bytes / 1000000)) MB"

[ -f "$repo/dist/test/support/write-population.js" ] || (cd "$repo" && npm run build >/dev/null)

work=$(mktemp -d /var/tmp/stratum-proof.XXXXXX)
id=$(printf '%s' "${work##*.}" | tr 'A-Z' 'a-z')
hub="sproof${id}hub"
wa="sproof${id}wa"
wb="sproof${id}wb"
sock="$work/podman.sock"
pids=()

cleanup() {
  local rc=$?
  set +e
  if [ "${PROOF_KEEP:-0}" = 1 ]; then
    echo "PROOF_KEEP=1: left $work and projects $hub $wa $wb running"
  else
    # The worker file needs REDIS_URL even to tear down; any value will do here.
    for p in "$wb" "$wa" "${wa}x"; do REDIS_URL=redis://unused workerc "$p" down -v -t 0 >/dev/null 2>&1; done
    hubc down -v -t 0 >/dev/null 2>&1
    for p in "$hub" "$wa" "$wb" "${wa}x"; do
      for c in $(podman ps -a -q --filter "label=com.docker.compose.project=$p"); do podman rm -f -v -t 0 "$c" >/dev/null 2>&1; done
    done
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  [ "${PROOF_KEEP:-0}" = 1 ] || rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "container proof stopped at line $LINENO: $BASH_COMMAND" >&2' ERR

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
secret() { node -e "console.log(require('crypto').randomBytes(18).toString('hex'))"; }

# podman's Docker-compatible API for docker-compose, on a socket of this run only.
podman system service --time=0 "unix://$sock" >"$work/podman-service.log" 2>&1 &
pids+=($!)
export DOCKER_HOST="unix://$sock"
for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "podman system service did not create $sock"

export REDIS_PASSWORD DASHBOARD_PASSWORD REDIS_PORT DASHBOARD_PORT PROOF_GIT_PORT
REDIS_PASSWORD=$(secret)
DASHBOARD_PASSWORD=$(secret)
REDIS_PORT=$(free_port)
DASHBOARD_PORT=$(free_port)
PROOF_GIT_PORT=$(free_port)
export DASHBOARD_USER=proof REDIS_BIND=127.0.0.1 STRATUM_QUEUE_PREFIX=proof
export STRATUM_DATA="$work/data" PROOF_GIT_ROOT="$work/serve"
# Local git URLs are allowed for the test repositories; short lock and stalled-check times
# make the killed machine's jobs come back in seconds instead of the default 30 s.
export STRATUM_ALLOW_LOCAL_URLS=1 STRATUM_LOCK_DURATION_MS=5000 STRATUM_STALLED_INTERVAL_MS=2000
export STRATUM_RETRY_BACKOFF_MS=500 STRATUM_WORKER_CONCURRENCY=$CONCURRENCY
# debug: one log line per finished job (status, ms), which gives the per-machine figures.
export STRATUM_LOG_LEVEL=debug
hub_redis_url="redis://:$REDIS_PASSWORD@127.0.0.1:$REDIS_PORT"

hubc() { docker-compose --ansi never -p "$hub" -f "$repo/compose.hub.yml" -f "$here/compose.hub-proof.yml" "$@"; }
workerc() {
  local p=$1
  shift
  docker-compose --ansi never -p "$p" -f "$repo/compose.worker.yml" -f "$here/compose.worker-proof.yml" "$@"
}
rcli() { REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --no-auth-warning "$@"; }
rows() { cat "$work/data/scan_results.jsonl" "$work/data/quarantine.jsonl" 2>/dev/null | wc -l; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$(($(date +%s) + limit))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${limit} s waiting for $what"
    sleep 0.5
  done
}
http_code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
worker_ready() { podman logs "$1" 2>&1 | grep -q '"msg":"worker ready"'; }
rows_at_least() { [ "$(rows)" -ge "$1" ]; }

log "refusals before anything starts"
out=$(env -u REDIS_URL docker-compose -f "$repo/compose.worker.yml" config 2>&1 || true)
grep -q 'set REDIS_URL' <<<"$out" || die "the worker file started without REDIS_URL: $out"
out=$(env -u DASHBOARD_PASSWORD docker-compose -f "$repo/compose.hub.yml" config 2>&1 || true)
grep -q 'set DASHBOARD_USER and DASHBOARD_PASSWORD' <<<"$out" || die "the hub file accepted no dashboard password: $out"
out=$(env -u REDIS_PASSWORD docker-compose -f "$repo/compose.hub.yml" config 2>&1 || true)
grep -q 'set REDIS_PASSWORD' <<<"$out" || die "the hub file accepted no Redis password: $out"
echo "   compose refuses: no REDIS_URL (worker file), no DASHBOARD_PASSWORD, no REDIS_PASSWORD (hub file)"

log "test repositories: $REPOS planned"
node "$repo/dist/test/support/write-population.js" --count "$REPOS" --out "$work" \
  --url-base "git://127.0.0.1:$PROOF_GIT_PORT" --manifest "$work/data/repo_manifest.jsonl" >"$work/population.json"
total=$(wc -l <"$work/data/repo_manifest.jsonl")
# The data directory is a bind mount: it must belong to the image's user (runbook, step 1).
chown -R 1000:1000 "$work/data"
echo "   $total repositories as bare git repositories under $work/serve"

# Health checks, which podman here cannot schedule (no systemd): run them every 2 s.
(while sleep 2; do
  for c in $(podman ps --filter "label=com.docker.compose.project=$hub" --format '{{.Names}}'); do
    podman healthcheck run "$c" >/dev/null 2>&1 || true
  done
done) &
pids+=($!)

log "hub up: redis, writer, dashboard, git"
hubc up -d --no-build redis >"$work/hub-up.log" 2>&1 || { cat "$work/hub-up.log"; die "hub redis did not start"; }
wait_for 60 "hub Redis on 127.0.0.1:$REDIS_PORT" sh -c "REDISCLI_AUTH='$REDIS_PASSWORD' redis-cli -p $REDIS_PORT --no-auth-warning ping 2>/dev/null | grep -q PONG"
hubc up -d --no-build writer dashboard git >>"$work/hub-up.log" 2>&1 || { cat "$work/hub-up.log"; die "hub services did not start"; }
policy=$(rcli config get maxmemory-policy | tail -1)
aof=$(rcli config get appendonly | tail -1)
[ "$policy" = noeviction ] && [ "$aof" = yes ] || die "hub Redis runs maxmemory-policy=$policy appendonly=$aof"
[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>&1)" != PONG ] || die "hub Redis answers without the password"
echo "   Redis: password required, appendonly=$aof, maxmemory-policy=$policy, published on 127.0.0.1:$REDIS_PORT"

dash="http://127.0.0.1:$DASHBOARD_PORT"
wait_for 60 "dashboard /healthz" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $dash/healthz)\" = 200 ]"
code_without=$(http_code "$dash/api/stats")
code_wrong=$(http_code -u "proof:wrong-password" "$dash/api/stats")
code_with=$(http_code -u "proof:$DASHBOARD_PASSWORD" "$dash/api/stats")
code_board=$(http_code -u "proof:$DASHBOARD_PASSWORD" "$dash/queues/api/queues")
[ "$code_without" = 401 ] && [ "$code_wrong" = 401 ] && [ "$code_with" = 200 ] && [ "$code_board" = 200 ] \
  || die "dashboard answered $code_without without, $code_wrong with wrong, $code_with/$code_board with credentials"
echo "   dashboard: 401 without credentials, 401 with a wrong password, 200 with them (stats and bull-board)"

log "fail-fast: a worker with a wrong password, a worker with no hub"
t0=$(now)
rc=0
out=$(REDIS_URL="redis://:wrong-password@127.0.0.1:$REDIS_PORT" workerc "${wa}x" run --rm -T worker 2>&1) || rc=$?
t_bad=$(secs "$t0" "$(now)")
[ $rc -eq 2 ] && grep -q 'refused the password' <<<"$out" \
  || die "a worker with a wrong password did not fail clearly (exit $rc): $out"
grep -q "wrong-password" <<<"$out" && die "the worker printed the password it was given: $out"
echo "   wrong password: exit $rc after $t_bad s: $(grep -m1 '^error:' <<<"$out")"
nobody=$(free_port)
t0=$(now)
rc=0
out=$(REDIS_URL="redis://:$REDIS_PASSWORD@127.0.0.1:$nobody" workerc "${wa}x" run --rm -T worker 2>&1) || rc=$?
t_gone=$(secs "$t0" "$(now)")
[ $rc -ne 0 ] && grep -q 'is not reachable' <<<"$out" || die "a worker with no hub did not fail clearly (exit $rc): $out"
echo "   hub unreachable: exit $rc after $t_gone s: $(grep -m1 '^error:' <<<"$out" | cut -c1-120)"
REDIS_URL=redis://unused workerc "${wa}x" down -v -t 0 >/dev/null 2>&1 || true

log "enqueue $total repositories (producer, hub)"
hubc run --rm -T producer enqueue --resume >"$work/enqueue.log" 2>&1 || { cat "$work/enqueue.log"; die "enqueue failed"; }
grep -E 'added|queued' "$work/enqueue.log" | tail -3 | sed 's/^/   /'

startup=0
start_machine() { # start_machine PROJECT → sets startup: seconds from compose up to "worker ready"
  local p=$1 t0 ctr
  t0=$(now)
  REDIS_URL="$hub_redis_url" workerc "$p" up -d --no-build >"$work/$p-up.log" 2>&1 || { cat "$work/$p-up.log"; die "machine $p did not start"; }
  ctr="${p}_worker_1"
  wait_for 120 "$ctr to say worker ready" worker_ready "$ctr"
  podman logs -f "$ctr" >"$work/$p.log" 2>&1 &
  pids+=($!)
  startup=$(secs "$t0" "$(now)")
}

peak_work_kb=0
sample_disk() { # largest /work (clones in flight) seen in a worker machine
  local kb
  kb=$(podman exec "$1" du -sk /work 2>/dev/null | cut -f1) || return 0
  [ -n "$kb" ] && [ "$kb" -gt "$peak_work_kb" ] && peak_work_kb=$kb
  return 0
}
wait_rows_sampling() { # wait_rows_sampling TARGET SECONDS CONTAINER...
  local target=$1 limit=$2 deadline
  shift 2
  deadline=$(($(date +%s) + limit))
  while [ "$(rows)" -lt "$target" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out after $limit s with $(rows) of $target rows"
    for c in "$@"; do sample_disk "$c"; done
    sleep 0.5
  done
}

log "machine A: one worker container, concurrency $CONCURRENCY"
start_machine "$wa"
startup_a=$startup
echo "   machine A worker ready ${startup_a} s after compose up"
wait_rows_sampling 1 300 "${wa}_worker_1"
r1=$(rows)
t1=$(now)
phase1_target=$((r1 + total * 3 / 10))
wait_rows_sampling "$phase1_target" 900 "${wa}_worker_1"
r2=$(rows)
t2=$(now)
tput1=$(rate $((r2 - r1)) "$t1" "$t2")
echo "   1 machine: $((r2 - r1)) rows in $(secs "$t1" "$t2") s = $tput1 rows/s"

log "machine B: a second worker machine"
start_machine "$wb"
startup_b=$startup
echo "   machine B worker ready ${startup_b} s after compose up"
r3=$(rows)
t3=$(now)
phase2_target=$((r3 + total * 3 / 10))
[ "$phase2_target" -lt "$total" ] || phase2_target=$((total - 5))
wait_rows_sampling "$phase2_target" 900 "${wa}_worker_1" "${wb}_worker_1"
r4=$(rows)
t4=$(now)
tput2=$(rate $((r4 - r3)) "$t3" "$t4")
echo "   2 machines: $((r4 - r3)) rows in $(secs "$t3" "$t4") s = $tput2 rows/s"

log "killing machine B (SIGKILL to its whole container, then removed)"
active=$(rcli llen proof:scan:active)
rows_at_kill=$(rows)
podman kill --signal KILL "${wb}_worker_1" >/dev/null
t_kill=$(now)
REDIS_URL=redis://unused workerc "$wb" down -v -t 0 >/dev/null 2>&1 || true
echo "   killed with $active jobs active in the queue and $rows_at_kill of $total rows written"

log "machine A finishes, including the killed machine's jobs"
wait_rows_sampling "$total" 900 "${wa}_worker_1"
t_done=$(now)
sleep 3 # a row written twice would land now

log "checking rows"
node - "$work/data" <<'EOF' >"$work/check.json" || die "row check failed: $(cat "$work/check.json")"
const fs = require('node:fs');
const dir = process.argv[2];
const lines = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
const manifest = lines(`${dir}/repo_manifest.jsonl`).map((l) => JSON.parse(l).repo_full_name);
const results = lines(`${dir}/scan_results.jsonl`).map((l) => JSON.parse(l));
const quarantine = lines(`${dir}/quarantine.jsonl`).map((l) => JSON.parse(l));
const seen = new Map();
for (const r of [...results, ...quarantine]) {
  const name = r.repo_full_name;
  seen.set(name, (seen.get(name) ?? 0) + 1);
}
const missing = manifest.filter((n) => !seen.has(n));
const doubled = [...seen].filter(([, c]) => c > 1).map(([n]) => n);
const unknown = [...seen.keys()].filter((n) => !manifest.includes(n));
const statuses = {};
for (const r of results) statuses[r.scan_status] = (statuses[r.scan_status] ?? 0) + 1;
const out = { manifest: manifest.length, result_rows: results.length, quarantine_rows: quarantine.length,
  distinct: seen.size, missing: missing.length, doubled: doubled.length, unknown: unknown.length, statuses,
  examples: { missing: missing.slice(0, 3), doubled: doubled.slice(0, 3), unknown: unknown.slice(0, 3) } };
console.log(JSON.stringify(out));
process.exit(missing.length || doubled.length || unknown.length || seen.size !== manifest.length ? 1 : 0);
EOF
cat "$work/check.json" | sed 's/^/   /'

log "audit on drain (dashboard)"
wait_for 180 "the dashboard's audit report" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -u 'proof:$DASHBOARD_PASSWORD' $dash/audit/report)\" = 200 ]"
t_audit=$(now)
[ -f "$work/data/dataset_audit_report.md" ] || die "no dataset_audit_report.md in the data directory"
[ "$(http_code "$dash/audit/report")" = 401 ] || die "the audit report is served without credentials"
echo "   /audit/report 200 $(secs "$t_done" "$t_audit") s after the last row; files: $(ls "$work/data" | tr '\n' ' ')"

log "per worker machine"
machine_figures() { # machine_figures NAME LOGFILE START_EPOCH END_EPOCH
  node - "$2" "$3" "$4" "$1" <<'EOF'
const fs = require('node:fs');
const [file, start, end, name] = process.argv.slice(2);
const done = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
  .filter((d) => typeof d.status === 'string' && typeof d.ms === 'number');
const ms = done.map((d) => d.ms).filter((m) => typeof m === 'number').sort((a, b) => a - b);
const span = Number(end) - Number(start);
const median = ms.length ? ms[Math.floor(ms.length / 2)] : 0;
const mean = ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : 0;
console.log(`   machine ${name}: ${done.length} jobs in ${span.toFixed(1)} s = ${(done.length / span).toFixed(2)} jobs/s; ` +
  `clone+scan per job: median ${median} ms, mean ${mean.toFixed(0)} ms`);
EOF
}
machine_figures A "$work/$wa.log" "$t1" "$t_done"
machine_figures B "$work/$wb.log" "$t3" "$t_kill"
jobs_done=$(cat "$work/$wa.log" "$work/$wb.log" | grep -c '"status":"[a-z]*","reason"' || true)
echo "   jobs finished on both machines: $jobs_done for $total rows (more when B finished a job but died before handing it back: A runs it again, its row is written once)"

data_kb=$(du -sk "$work/data" | cut -f1)
results_bytes=$(stat -c %s "$work/data/scan_results.jsonl")
redis_mem=$(rcli info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')
owner=$(stat -c %u "$work/data/scan_results.jsonl")
[ "$owner" = 1000 ] || die "scan_results.jsonl belongs to uid $owner, not the image's user 1000"

cat <<EOF

== container proof passed ($(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)
image:                 $STRATUM_IMAGE $((image_bytes / 1000000)) MB, built in ${build_s%.*} s
worker start-up:       machine A ${startup_a} s, machine B ${startup_b} s (compose up → "worker ready")
throughput:            1 machine $tput1 rows/s, 2 machines $tput2 rows/s (concurrency $CONCURRENCY each)
fail-fast:             wrong password ${t_bad} s, hub unreachable ${t_gone} s (compose run → exit)
kill:                  machine B SIGKILLed at $rows_at_kill/$total rows with $active jobs active
rows after the kill:   $(cat "$work/check.json" | node -e "const c=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log(\`\${c.result_rows} results + \${c.quarantine_rows} quarantined = \${c.distinct} distinct of \${c.manifest}; missing \${c.missing}, doubled \${c.doubled}\`)")
disk:                  peak /work in a worker ${peak_work_kb} KiB; data directory ${data_kb} KiB (scan_results.jsonl $((results_bytes / total)) B per row)
redis:                 used_memory ${redis_mem} B after the run (writer removes finished jobs)
whole proof:           $(($(date +%s) - proof_started)) s
EOF
