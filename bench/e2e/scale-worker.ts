/**
 * One worker process of the scale benchmark: the real `startScanWorker` (BullMQ worker, row
 * check, workspace, validation, result) with the in-process stand-in cloner and scanner.
 * Configured from the environment like `stratum-pipeline worker`; on SIGTERM it stops and
 * prints its stand-in totals as one JSON line on stdout.
 */
import { loadConfig, secretValues } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { startScanWorker } from '../../src/workers/scan-worker.js';
import { copyCloner, readingScanner, totals } from './stand-in.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const concurrency = Number(process.argv[2] ?? 8);
  const secrets = secretValues(config);
  const logger = createLogger('scale-worker', { level: config.logLevel, secrets });
  const handle = await startScanWorker(config, {
    concurrency,
    logger,
    secrets,
    cloner: copyCloner,
    scanner: readingScanner,
  });
  process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await handle.close(2000);
  process.stdout.write(`${JSON.stringify({ pid: process.pid, ...totals })}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`scale worker failed: ${(err as Error).message}\n`);
  process.exit(1);
});
