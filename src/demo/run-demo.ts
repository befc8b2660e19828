import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runAudit } from '../audit/index.js';
import type { CommandContext } from '../core/command.js';
import { loadConfig } from '../core/config.js';
import { dataFile } from '../core/paths.js';
import { createRedis } from '../core/redis.js';
import { resetCounters } from '../core/run-counters.js';
import { formatScanSummary, runScan } from '../workers/run-scan.js';
import { buildExampleRepos, manifestFor } from './example-repos.js';

export interface DemoOptions {
  workers: number;
  /** Keep the demo's queue and counters in Redis afterwards (default: removed). */
  keepRedisState?: boolean;
}

export interface DemoResult {
  dataDir: string;
  reportPath: string;
  summary: string;
}

/**
 * The pipeline end to end with no token and no network: example agent repositories are built
 * with git under <data-dir>/demo/repos, listed in a manifest with file:// URLs, scanned by the
 * workers and the built-in scanner through Redis, and audited with the split.
 */
export async function runDemo(ctx: CommandContext, options: DemoOptions): Promise<DemoResult> {
  const demoDir = path.join(ctx.dataDir, 'demo');
  const reposDir = path.join(demoDir, 'repos');
  await fs.rm(demoDir, { recursive: true, force: true });
  await fs.mkdir(demoDir, { recursive: true });

  ctx.logger.info({ reposDir }, 'building example agent repositories');
  const built = await buildExampleRepos(reposDir);
  const manifestPath = dataFile(demoDir, 'manifest');
  await fs.writeFile(
    manifestPath,
    manifestFor(built)
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n',
  );

  // A queue prefix of its own, so the demo never touches a real run sharing this Redis.
  const queuePrefix = `${ctx.config.queuePrefix}-demo-${randomBytes(3).toString('hex')}`;
  const config = loadConfig(process.env, {
    dataDir: demoDir,
    allowLocalUrls: true,
    queuePrefix,
    workDir: path.join(demoDir, 'work'),
  });
  const demoCtx: CommandContext = { ...ctx, config, dataDir: demoDir };
  const summary = await runScan(demoCtx, { workers: options.workers, resume: false, manifest: manifestPath });
  if (!options.keepRedisState) await cleanupRedis(demoCtx, queuePrefix);

  const audit = await runAudit({
    input: dataFile(demoDir, 'scanResults'),
    manifest: manifestPath,
    outDir: demoDir,
    split: true,
    logger: ctx.logger,
  });
  const lines = [
    formatScanSummary(summary),
    '',
    `audit: ${audit.rows} rows, ${audit.gates.filter((g) => g.pass).length}/${audit.gates.length} gates pass (a demo is far below the dataset gates)`,
    `data:   ${demoDir}`,
    `report: ${audit.reportPath}`,
  ];
  return { dataDir: demoDir, reportPath: audit.reportPath, summary: lines.join('\n') };
}

async function cleanupRedis(ctx: CommandContext, prefix: string): Promise<void> {
  const redis = createRedis(ctx.config);
  try {
    await resetCounters(redis, prefix);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message }, 'could not remove the demo queue from Redis');
  } finally {
    redis.disconnect();
  }
}
