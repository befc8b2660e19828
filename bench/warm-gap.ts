/**
 * What an idle gap between two repositories costs a warm scanner process, with and without
 * `WARM_NODE_FLAGS`: two warm pools side by side (A with the worker's Node flags, B without),
 * each repository scanned by both in turn (the order alternates), each scan after a gap. A worker
 * meets the gap between a clone and its scan; a long-lived process meets it whatever it does.
 *
 *   npm run build && node dist/bench/warm-gap.js --repos DIR [--gap-ms 1500] [--reps 8]
 *     [--only a,b]
 *
 * `--gap-ms 0` gives the back-to-back figures. Prints each repository's median per pool and the
 * sums; the difference between the pools is what the flags buy at that gap.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtInScannerCliPath, ProcessScannerRunner } from '../src/workers/scan/scanner-runner.js';
import { WARM_NODE_FLAGS, WarmScannerPool } from '../src/workers/scan/warm-scanner.js';
import { benchArg, benchRepos, median } from './repo-set.js';

const { reposDir, repos } = benchRepos();
const gapMs = Number(benchArg('--gap-ms') ?? 1500);
const reps = Number(benchArg('--reps') ?? 8);
if (!(Number.isSafeInteger(gapMs) && gapMs >= 0 && Number.isSafeInteger(reps) && reps >= 1)) {
  process.stderr.write('error: --gap-ms must be an integer ≥ 0 and --reps a positive integer\n');
  process.exit(2);
}

const CLI = builtInScannerCliPath();
const TIMEOUT_MS = 900_000;
const retry = new ProcessScannerRunner(
  { command: process.execPath, prefixArgs: [CLI], description: 'built-in', requiredFile: CLI, builtIn: true },
  { timeoutMs: TIMEOUT_MS, maxStdoutBytes: 16 * 1024 * 1024 },
);
const poolWith = (nodeFlags: readonly string[]) =>
  new WarmScannerPool({
    command: process.execPath,
    prefixArgs: [CLI],
    nodeFlags,
    requiredFile: CLI,
    size: 1,
    // Neither pool recycles during the bench: both keep one process throughout.
    recycleAfterScans: Number.MAX_SAFE_INTEGER,
    recycleAboveRssBytes: Number.MAX_SAFE_INTEGER,
    timeoutMs: TIMEOUT_MS,
    maxResponseBytes: 16 * 1024 * 1024,
    retry,
  });
const pools = { A: poolWith(WARM_NODE_FLAGS), B: poolWith([]) };
await Promise.all([pools.A.prestart(), pools.B.prestart()]);

const times: Record<'A' | 'B', Map<string, number[]>> = { A: new Map(), B: new Map() };
for (let rep = 0; rep < reps; rep++) {
  for (const name of repos) {
    for (const key of rep % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      await sleep(gapMs);
      const started = performance.now();
      const full = name.replace('+', '/');
      const outcome = await pools[key].scan({
        dir: path.join(reposDir, name),
        repoFullName: full,
        repoUrl: `https://github.com/${full}`,
      });
      if (!outcome.ok) throw new Error(`${name}: ${outcome.detail}`);
      const list = times[key].get(name) ?? [];
      list.push(performance.now() - started);
      times[key].set(name, list);
    }
  }
}
for (const pool of Object.values(pools)) pool.close();

console.log(`warm scans after a ${gapMs} ms idle gap, ${reps} per repository and pool (medians, ms)`);
console.log(`${'repository'.padEnd(52)} A: [${WARM_NODE_FLAGS.join(' ')}]  B: no flags`);
let sumA = 0;
let sumB = 0;
for (const name of repos) {
  const a = median(times.A.get(name) ?? []);
  const b = median(times.B.get(name) ?? []);
  sumA += a;
  sumB += b;
  console.log(`${name.padEnd(52)} ${a.toFixed(0).padStart(6)} ${b.toFixed(0).padStart(6)}`);
}
console.log(
  `${'sum of the medians'.padEnd(52)} ${sumA.toFixed(0).padStart(6)} ${sumB.toFixed(0).padStart(6)}`,
);
console.log(`A / B: ${(sumA / sumB).toFixed(2)}`);
