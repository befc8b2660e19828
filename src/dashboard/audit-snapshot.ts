import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { fileExists } from '../core/jsonl.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { dataFile } from '../core/paths.js';
import { readCounters } from '../core/run-counters.js';
import type { AuditOutcome, AuditRunner } from './audit-runner.js';

/**
 * The optional scheduled audit snapshot (`--audit-cron`): an audit of the rows written so far,
 * into <data-dir>/audit-snapshots/<time>/. Several dashboards on the same schedule produce one
 * snapshot per tick: the tick's minute is claimed with SET NX first.
 */
export interface AuditSnapshotOptions {
  redis: Redis;
  prefix: string;
  dataDir: string;
  runAudit: AuditRunner;
  logger?: Logger;
  now?: () => number;
}

export type SnapshotResult =
  | { action: 'skipped'; reason: string }
  | { action: 'ran'; outDir: string; outcome: AuditOutcome };

export async function runAuditSnapshot(options: AuditSnapshotOptions): Promise<SnapshotResult> {
  const { redis, prefix, dataDir } = options;
  const logger = options.logger ?? silentLogger;
  const now = (options.now ?? Date.now)();
  const counters = await readCounters(redis, prefix);
  if (counters.results === 0) return { action: 'skipped', reason: 'no rows written yet' };
  const runId = counters.meta.run_id || 'no-run';
  const minute = Math.floor(now / 60_000);
  const claimed = await redis.set(`${prefix}:audit:snapshot:${runId}:${minute}`, '1', 'EX', 86_400, 'NX');
  if (claimed !== 'OK') return { action: 'skipped', reason: 'another dashboard took this tick' };
  const stamp = new Date(minute * 60_000)
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const outDir = path.join(dataDir, 'audit-snapshots', stamp);
  await mkdir(outDir, { recursive: true });
  const manifest = dataFile(dataDir, 'manifest');
  const outcome = await options.runAudit({
    input: dataFile(dataDir, 'scanResults'),
    ...((await fileExists(manifest)) ? { manifest } : {}),
    outDir,
    logger,
  });
  logger.info({ runId, outDir, rows: outcome.rows }, 'audit snapshot written');
  return { action: 'ran', outDir, outcome };
}
