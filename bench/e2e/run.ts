/**
 * The reproducible end-to-end run at any size (issue #6 §1):
 *
 *   npm run build && node dist/bench/e2e/run.js --repos 300
 *
 * Runs the CI end-to-end suite (test/e2e/pipeline.e2e.test.ts: population → loopback git
 * server → fake GitHub → discover → scan with the built-in scanner → audit --split, with every
 * assertion) at the given size; it prints the discover / scan / audit timings.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/core/project-root.js';

const i = process.argv.indexOf('--repos');
const repos = i >= 0 ? Number(process.argv[i + 1]) : 300;
const root = projectRoot();
const started = Date.now();
const r = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/e2e/pipeline.e2e.test.ts'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, STRATUM_E2E_REPOS: String(repos) } },
);
process.stdout.write(
  `end-to-end run, ${repos} repositories: ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${r.status}\n`,
);
process.exitCode = r.status ?? 1;
