import { fileURLToPath } from 'node:url';
import type { ScanOptions } from './options.js';
import type { PingObject } from './ping/ping-types.js';
import { scanDirectory } from './scan.js';

export type { ScanOptions } from './options.js';
export { scanDirectory } from './scan.js';

/**
 * Absolute path of the compiled `stratum-scan` CLI (`dist/src/scanner/cli.js`), which the
 * worker runs as `node <path> scan <dir> --json --no-telemetry --repo-name X --repo-url Y`.
 */
export function scannerCliPath(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // Compiled: dist/src/scanner/index.js → cli.js beside it. From sources (vitest): src/scanner →
  // the compiled file under dist/.
  if (here.includes(`${'/dist/'}`)) return fileURLToPath(new URL('./cli.js', import.meta.url));
  return fileURLToPath(new URL('../../dist/src/scanner/cli.js', import.meta.url));
}

/** Scans a repository in-process and returns its ping (tests, benchmarks). */
export async function scanRepository(dir: string, options: ScanOptions = {}): Promise<PingObject> {
  return (await scanDirectory(dir, options)).ping;
}
