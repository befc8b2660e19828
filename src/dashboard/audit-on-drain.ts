import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { sha256File } from '../core/file-hash.js';
import { fileExists } from '../core/jsonl.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { dataFile } from '../core/paths.js';
import { redact } from '../core/redact.js';
import { readCounters } from '../core/run-counters.js';
import type { AuditOutcome, AuditRunner } from './audit-runner.js';
import type { AuditState, AuditStatus } from './stats.js';

/**
 * Runs the audit once when a run has drained. A cron tick calls `check()`; it only reads
 * O(1) state and, when the run is done, takes a per-run marker in Redis:
 *
 *   SET <prefix>:audit:drain:<run_id> {state:'running', owner} NX PX <lease>
 *
 * The owner renews the lease while the audit runs and replaces the marker with a
 * `done` one (no expiry) when it finishes, so a finished audit does not repeat — across
 * restarts and across several dashboards — until rows are replaced: a `done` marker records the
 * run's replaced-row count, and when a rescan or a retry has replaced rows since, the next drain
 * audits the files again. A crash leaves a `running` marker that expires after the lease, and
 * the next check (anywhere) runs it again. A failed audit leaves a `failed` marker that expires
 * after a back-off, then it is retried.
 *
 * "Drained" is decided from polled counts, never from QueueEvents (which can drop events):
 * no waiting/active/delayed/prioritized/waiting-children job, the producer has finished
 * enqueueing (meta.enqueue_finished = '1'), and the writer has made a row durable for every
 * manifest repository (results ≥ meta.manifest_count) — the last condition is what keeps a
 * lagging writer from triggering an audit of a partial file. The same observation must hold
 * on `stableChecks` consecutive ticks.
 */

export interface DrainMarker {
  state: AuditState;
  owner: string;
  at: string;
  attempts: number;
  reportPath?: string;
  auditJsonPath?: string;
  gatesPassed?: number;
  gatesTotal?: number;
  rows?: number;
  /** The run's replaced-row count the audit saw (a later replacement makes the audit stale). */
  replaced?: number;
  error?: string;
}

export type CheckResult =
  | { action: 'no-run'; reason: string }
  | { action: 'waiting'; runId: string; reason: string }
  | { action: 'settling'; runId: string; streak: number }
  | { action: 'already-done'; runId: string }
  | { action: 'busy'; runId: string; reason: string }
  | { action: 'ran'; runId: string; outcome: AuditOutcome }
  | { action: 'failed'; runId: string; error: string };

export interface AuditOnDrainOptions {
  redis: Redis;
  queue: Pick<Queue, 'getJobCounts'>;
  prefix: string;
  dataDir: string;
  runAudit: AuditRunner;
  /** Identifies this process in the marker (host:pid:uuid by default). */
  owner?: string;
  /** How long a running marker lives without renewal (a crashed owner's audit is retried after it). */
  leaseMs?: number;
  /** How long a failed audit waits before it is retried. */
  retryAfterMs?: number;
  stableChecks?: number;
  secrets?: readonly string[];
  logger?: Logger;
}

const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

// KEYS: marker; ARGV: owner, leaseMs
const RENEW_LUA = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local m = cjson.decode(v)
if m.owner ~= ARGV[1] or m.state ~= 'running' then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;

// KEYS: marker; ARGV: runningJson, replaced, leaseMs. Taken when there is no marker, or when the
// marker is a done audit of fewer replaced rows than the run has now.
const TAKE_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  local m = cjson.decode(v)
  if m.state ~= 'done' or (tonumber(m.replaced) or 0) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
`;

// KEYS: marker; ARGV: owner, doneJson. A done marker never expires; only a later take replaces it.
const FINISH_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  local m = cjson.decode(v)
  if m.state == 'done' then return 0 end
  if m.owner ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

// KEYS: marker; ARGV: owner, failedJson, retryAfterMs
const FAIL_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  local m = cjson.decode(v)
  if m.owner ~= ARGV[1] or m.state ~= 'running' then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

export function drainMarkerKey(prefix: string, runId: string): string {
  return `${prefix}:audit:drain:${runId}`;
}

export async function readDrainMarker(
  redis: Redis,
  prefix: string,
  runId: string,
): Promise<DrainMarker | null> {
  const raw = await redis.get(drainMarkerKey(prefix, runId));
  return raw ? (JSON.parse(raw) as DrainMarker) : null;
}

/** The marker's report path when it is a finished audit whose report lies inside the data directory. */
export function servableReport(marker: DrainMarker | null, dataDir: string): string | null {
  if (marker?.state !== 'done' || !marker.reportPath) return null;
  const resolved = path.resolve(marker.reportPath);
  const root = path.resolve(dataDir) + path.sep;
  return resolved.startsWith(root) ? resolved : null;
}

export function auditStatusOf(marker: DrainMarker | null, dataDir: string): AuditStatus | null {
  if (!marker) return null;
  return {
    state: marker.state,
    at: marker.at,
    reportAvailable: servableReport(marker, dataDir) !== null,
    ...(marker.gatesTotal === undefined
      ? {}
      : { gatesPassed: marker.gatesPassed, gatesTotal: marker.gatesTotal }),
    ...(marker.error ? { error: marker.error } : {}),
  };
}

export class AuditOnDrain {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly retryAfterMs: number;
  private readonly stableChecks: number;
  private readonly logger: Logger;
  private lastSignature: string | undefined;
  private streak = 0;
  private inFlight = false;

  constructor(private readonly options: AuditOnDrainOptions) {
    this.owner = options.owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 10 * 60_000;
    this.retryAfterMs = options.retryAfterMs ?? 60_000;
    this.stableChecks = options.stableChecks ?? 2;
    this.logger = options.logger ?? silentLogger;
    options.redis.defineCommand('stratumAuditTake', { numberOfKeys: 1, lua: TAKE_LUA });
    options.redis.defineCommand('stratumAuditRenew', { numberOfKeys: 1, lua: RENEW_LUA });
    options.redis.defineCommand('stratumAuditFinish', { numberOfKeys: 1, lua: FINISH_LUA });
    options.redis.defineCommand('stratumAuditFail', { numberOfKeys: 1, lua: FAIL_LUA });
  }

  /** One periodic check: observe, and run the audit when the run has drained and nobody else has. */
  async check(): Promise<CheckResult> {
    const { redis, prefix } = this.options;
    const counters = await readCounters(redis, prefix);
    const runId = counters.meta.run_id;
    if (!runId) return this.reset({ action: 'no-run', reason: 'no run in Redis (meta.run_id unset)' });
    if (this.inFlight) return { action: 'busy', runId, reason: 'this process is running the audit' };

    const marker = await readDrainMarker(redis, prefix, runId);
    const stale = marker?.state === 'done' && (marker.replaced ?? 0) < counters.replaced;
    if (marker?.state === 'done' && !stale) return this.reset({ action: 'already-done', runId });

    const counts = await this.options.queue.getJobCounts(...PENDING_STATES);
    const pending = PENDING_STATES.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${s} ${counts[s]}`);
    const manifestCount = Number(counters.meta.manifest_count);
    let reason = '';
    if (pending.length > 0) reason = `queue not drained (${pending.join(', ')})`;
    else if (counters.meta.enqueue_finished !== '1') reason = 'producer has not finished enqueueing';
    else if (!Number.isFinite(manifestCount) || counters.meta.manifest_count === undefined)
      reason = 'meta.manifest_count unset';
    else if (counters.results < manifestCount)
      reason = `writer behind: ${counters.results} of ${manifestCount} rows written`;
    // A dashboard without the data files (another machine) must not take the audit from one that has them.
    else if (!(await fileExists(dataFile(this.options.dataDir, 'scanResults'))))
      reason = `no ${dataFile(this.options.dataDir, 'scanResults')} on this machine`;
    // Nor one without the run's manifest: an audit without it cannot group fork families.
    else if (counters.meta.manifest_path && !(await this.manifestHere(counters.meta)))
      reason = `the run's manifest ${counters.meta.manifest_path} is not on this machine`;
    if (reason) return this.reset({ action: 'waiting', runId, reason });

    const signature = `${runId}:${counters.results}:${counters.replaced}`;
    this.streak = signature === this.lastSignature ? this.streak + 1 : 1;
    this.lastSignature = signature;
    if (this.streak < this.stableChecks) return { action: 'settling', runId, streak: this.streak };

    if (marker && !stale) return { action: 'busy', runId, reason: `audit ${marker.state} (${marker.owner})` };
    return this.runOnce(runId, counters.results, counters.replaced, counters.meta);
  }

  private reset<T extends CheckResult>(result: T): T {
    this.streak = 0;
    this.lastSignature = undefined;
    return result;
  }

  /**
   * The manifest the run was enqueued from: meta.manifest_path, or on another machine the data
   * directory's repo_manifest.jsonl when its sha256 is the one enqueue recorded. Runs enqueued
   * before the manifest was recorded fall back to the data directory's.
   */
  private async manifestHere(meta: Record<string, string>): Promise<string | undefined> {
    const recorded = meta.manifest_path;
    const local = dataFile(this.options.dataDir, 'manifest');
    if (!recorded) return (await fileExists(local)) ? local : undefined;
    if (await fileExists(recorded)) return recorded;
    if (
      meta.manifest_sha256 &&
      (await fileExists(local)) &&
      (await sha256File(local)) === meta.manifest_sha256
    )
      return local;
    return undefined;
  }

  /** The run's manifest, checked against the sha256 enqueue recorded (an error when it changed). */
  private async runManifest(meta: Record<string, string>): Promise<string | undefined> {
    const manifest = await this.manifestHere(meta);
    if (!meta.manifest_path) return manifest;
    if (!manifest) throw new Error(`the run's manifest ${meta.manifest_path} is not on this machine`);
    if (meta.manifest_sha256 && (await sha256File(manifest)) !== meta.manifest_sha256)
      throw new Error(
        `the run's manifest ${manifest} changed since it was enqueued (sha256 ${meta.manifest_sha256.slice(0, 12)}…); ` +
          'restore it, or audit by hand with `stratum-pipeline audit --manifest`',
      );
    return manifest;
  }

  private async runOnce(
    runId: string,
    results: number,
    replaced: number,
    meta: Record<string, string>,
  ): Promise<CheckResult> {
    const { redis, prefix, dataDir } = this.options;
    const key = drainMarkerKey(prefix, runId);
    const previous = await redis.get(`${key}:attempts`);
    const attempts = Number(previous ?? 0) + 1;
    const running: DrainMarker = {
      state: 'running',
      owner: this.owner,
      at: new Date().toISOString(),
      attempts,
      replaced,
    };
    const taken = await this.call('stratumAuditTake', key, JSON.stringify(running), replaced, this.leaseMs);
    if (taken !== 1) {
      const now = await readDrainMarker(redis, prefix, runId);
      if (now?.state === 'done') return { action: 'already-done', runId };
      return {
        action: 'busy',
        runId,
        reason: `audit ${now?.state ?? 'marker'} held by ${now?.owner ?? 'another process'}`,
      };
    }
    await redis.set(`${key}:attempts`, String(attempts));

    this.inFlight = true;
    const heartbeat = setInterval(
      () => {
        this.call('stratumAuditRenew', key, this.owner, this.leaseMs).catch((err: Error) =>
          this.logger.warn({ err: err.message }, 'audit lease renewal failed'),
        );
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    heartbeat.unref();
    this.logger.info({ runId, results, replaced, attempts }, 'queue drained: running the audit');
    try {
      const manifest = await this.runManifest(meta);
      const outcome = await this.options.runAudit({
        input: dataFile(dataDir, 'scanResults'),
        ...(manifest ? { manifest } : {}),
        outDir: dataDir,
        split: true,
        logger: this.logger,
      });
      const done: DrainMarker = {
        state: 'done',
        owner: this.owner,
        at: new Date().toISOString(),
        attempts,
        reportPath: outcome.reportPath,
        auditJsonPath: outcome.auditJsonPath,
        gatesPassed: outcome.gates.filter((g) => g.pass).length,
        gatesTotal: outcome.gates.length,
        rows: outcome.rows,
        replaced,
      };
      await this.call('stratumAuditFinish', key, this.owner, JSON.stringify(done));
      this.logger.info({ runId, reportPath: outcome.reportPath, gates: done.gatesPassed }, 'audit finished');
      return { action: 'ran', runId, outcome };
    } catch (err) {
      const error = redact((err as Error)?.message ?? String(err), this.options.secrets ?? []).slice(0, 500);
      const failed: DrainMarker = { ...running, state: 'failed', at: new Date().toISOString(), error };
      await this.call('stratumAuditFail', key, this.owner, JSON.stringify(failed), this.retryAfterMs).catch(
        () => undefined,
      );
      this.logger.error(
        { runId, error, retryAfterMs: this.retryAfterMs },
        'audit failed; it will be retried',
      );
      return { action: 'failed', runId, error };
    } finally {
      clearInterval(heartbeat);
      this.inFlight = false;
    }
  }

  private call(command: string, ...args: (string | number)[]): Promise<unknown> {
    const fn = (
      this.options.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>
    )[command];
    return fn!.apply(this.options.redis, args);
  }
}
