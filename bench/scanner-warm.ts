/**
 * Per-repository scan time and memory on real repositories, side by side in the same run:
 * the warm built-in scanner as the worker runs it (pool + framed protocol + ping validation),
 * the same scanner as one fresh process per repository, and the reference Python scanner when
 * it is installed. Prints a row per repository, the medians, the ratio reference / warm, the
 * peak RSS per repository of a fresh process and the largest ten, and the machine's load.
 *
 *   npm run build && node dist/bench/scanner-warm.js --repos DIR [--reference-python PY
 *     --reference-path DIR[:DIR…]] [--reference-timeout-ms N] [--only a,b] [--rounds N]
 *
 * DIR holds one checked-out repository per subdirectory (named owner+name). The reference
 * (dpowellm/stratum-cli, `python -m stratum.cli scan-cmd PATH --json --no-telemetry --repo-name
 * N --repo-url U`, the command line of its pipeline's scan_runner.py; `scan-cmd` is the name
 * click < 8.2 gives its `scan` command) writes into the tree it scans. Each of the three scans
 * gets a fresh copy of the repository, as a worker scans a fresh clone. Peak RSS is read with
 * /usr/bin/time when present.
 * With --rounds N every repository is scanned N times each way (round after round, the warm pool
 * kept across rounds as a worker keeps it) and each figure is the repository's median over the
 * rounds: a single run of a shared machine moves the ratio by ±20 %.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareValidators } from '../src/core/contract/index.js';
import { BASE_CHILD_ENV, runProcess } from '../src/core/run-process.js';
import {
  builtInScannerCliPath,
  ProcessScannerRunner,
  type ScanOutcome,
} from '../src/workers/scan/scanner-runner.js';
import {
  WARM_RECYCLE_ABOVE_RSS_BYTES,
  WARM_RECYCLE_AFTER_SCANS,
  WarmScannerPool,
} from '../src/workers/scan/warm-scanner.js';
import { judgeScannerOutput } from '../src/workers/validate/judge-output.js';
import { benchArg, benchRepos, median } from './repo-set.js';

const { reposDir, repos } = benchRepos();
const refPython = benchArg('--reference-python');
const refPath = benchArg('--reference-path');
const refTimeoutMs = Number(benchArg('--reference-timeout-ms') ?? 600_000);
const rounds = Number(benchArg('--rounds') ?? 1);
if (!Number.isSafeInteger(rounds) || rounds < 1) {
  process.stderr.write('error: --rounds must be a positive integer\n');
  process.exit(2);
}
const withReference = refPython !== undefined && refPath !== undefined && existsSync(refPython);
const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME);
const CLI = builtInScannerCliPath();
const SCAN_TIMEOUT_MS = 900_000;

const oneShot = new ProcessScannerRunner(
  { command: process.execPath, prefixArgs: [CLI], description: 'built-in', requiredFile: CLI, builtIn: true },
  { timeoutMs: SCAN_TIMEOUT_MS, maxStdoutBytes: 16 * 1024 * 1024 },
);
const pool = new WarmScannerPool({
  command: process.execPath,
  prefixArgs: [CLI],
  requiredFile: CLI,
  size: 1,
  recycleAfterScans: WARM_RECYCLE_AFTER_SCANS,
  recycleAboveRssBytes: WARM_RECYCLE_ABOVE_RSS_BYTES,
  timeoutMs: SCAN_TIMEOUT_MS,
  maxResponseBytes: 16 * 1024 * 1024,
  retry: oneShot,
});

function jobData(name: string) {
  const full = name.replace('+', '/');
  return {
    repo_full_name: full,
    repo_url: `https://github.com/${full}`,
    repo_hash: 'bench',
    selection_stratum: 'bench',
    github_size_kb: 0,
  };
}

/** What the worker does with a scan: run it, then validate the ping. */
async function warmScan(name: string, dir: string): Promise<{ ms: number; status: string }> {
  const started = performance.now();
  const data = jobData(name);
  const outcome: ScanOutcome = await pool.scan({
    dir,
    repoFullName: data.repo_full_name,
    repoUrl: data.repo_url,
  });
  let status = outcome.ok ? 'ok' : `failed: ${outcome.detail.slice(0, 60)}`;
  if (outcome.ok) {
    const judged = judgeScannerOutput(outcome.stdout, data, { jobId: 'bench', attempt: 1 });
    status = judged.kind === 'ping' ? String(judged.ping.scan_status) : judged.kind;
  }
  return { ms: performance.now() - started, status };
}

async function freshScan(dir: string): Promise<{ ms: number; peakMb: number | null }> {
  const started = performance.now();
  const cmd = hasTime ? TIME : process.execPath;
  const cmdArgs = [...(hasTime ? ['-f', 'PEAK_KB=%M', process.execPath] : []), CLI, 'scan', dir, '--json'];
  const r = await runProcess(cmd, cmdArgs, { timeoutMs: SCAN_TIMEOUT_MS, stderrTailBytes: 4096 });
  const ms = performance.now() - started;
  const m = /PEAK_KB=(\d+)/.exec(r.stderrTail);
  return { ms, peakMb: m ? Math.round(Number(m[1]) / 1024) : null };
}

/** The reference as its pipeline runs it (scan_runner.py): `--json --no-telemetry` and the repository's identity. */
async function referenceScan(name: string, dir: string): Promise<{ ms: number; note: string }> {
  const { repo_full_name, repo_url } = jobData(name);
  const started = performance.now();
  const r = await runProcess(
    refPython as string,
    [
      '-m',
      'stratum.cli',
      'scan-cmd',
      dir,
      '--json',
      '--no-telemetry',
      '--repo-name',
      repo_full_name,
      '--repo-url',
      repo_url,
    ],
    { timeoutMs: refTimeoutMs, env: { ...BASE_CHILD_ENV, PYTHONPATH: refPath as string }, cwd: dir },
  );
  const ms = performance.now() - started;
  const note = r.timedOut ? 'timeout' : r.exitCode === 0 ? 'ok' : `exit ${r.exitCode}`;
  return { ms, note };
}

/**
 * Runs `scan` on a copy of the repository made just before (not timed) and removed after. Every
 * scanner gets its own: the reference writes into the tree it scans, and a worker scans a clone
 * it has just written. Scanning the original instead favoured whichever scanner ran on files the
 * page cache still held: on this bench's VMs the kernel pages out file pages idle for minutes.
 */
async function onFreshCopy<T>(dir: string, scan: (copy: string) => Promise<T>): Promise<T> {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'stratum-bench-copy-'));
  try {
    cpSync(dir, copy, { recursive: true });
    return await scan(copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

console.log(
  `scanner bench: ${repos.length} repositories from ${reposDir}; ${os.cpus().length} CPUs; load ${load()}`,
);
console.log(
  withReference
    ? `reference: ${refPython} (PYTHONPATH ${refPath})`
    : 'reference: not installed (give --reference-python and --reference-path)',
);
// The pool starts as a worker's does: its process starts and warms up at start-up while the ping
// validator compiles (reported here, not part of any repository's time), and a retired
// process's successor starts at once.
// Each repository is scanned warm, fresh and by the reference in turn, so all three see the
// same load.
const prestartedAt = performance.now();
const prestarted = pool.prestart();
prepareValidators(['ping']);
const ready = await prestarted;
console.log(
  `warm pool ready in ${fmt(performance.now() - prestartedAt)} (start-up and warm-up: ${ready
    .map(
      (r) =>
        `${r.warmUp?.passes ?? 0} passes, ${r.warmUp?.ms ?? 0} ms${r.warmUp?.error ? `, ${r.warmUp.error}` : ''}`,
    )
    .join('; ')})`,
);
interface Row {
  name: string;
  warm: number;
  fresh: number;
  ref: number | null;
  peakMb: number | null;
  status: string;
  refNote: string;
}
const printRow = (row: Row) =>
  console.log(
    `${row.name.padEnd(52)} warm ${fmt(row.warm).padStart(8)}  fresh ${fmt(row.fresh).padStart(8)}  ref ${row.ref === null ? '-' : fmt(row.ref)} (${row.refNote})  peak ${row.peakMb ?? '-'} MB  ${row.status}`,
  );
const samples = new Map<string, Row[]>(repos.map((name) => [name, []]));
for (let round = 1; round <= rounds; round++) {
  if (rounds > 1) console.log(`round ${round} of ${rounds} (load ${load()})`);
  const roundRows: Row[] = [];
  for (const name of repos) {
    const dir = path.join(reposDir, name);
    const warm = await onFreshCopy(dir, (copy) => warmScan(name, copy));
    const fresh = await onFreshCopy(dir, (copy) => freshScan(copy));
    const ref = withReference ? await onFreshCopy(dir, (copy) => referenceScan(name, copy)) : null;
    const row: Row = {
      name,
      warm: warm.ms,
      fresh: fresh.ms,
      ref: ref?.ms ?? null,
      peakMb: fresh.peakMb,
      status: warm.status,
      refNote: ref?.note ?? '-',
    };
    samples.get(name)?.push(row);
    roundRows.push(row);
    printRow(row);
  }
  if (rounds > 1 && withReference)
    console.log(
      `round ${round}: ratio of the medians ${(median(roundRows.map((r) => r.ref as number)) / median(roundRows.map((r) => r.warm))).toFixed(1)}×`,
    );
}
/** A repository's figures over the rounds: medians of the times, the highest peak, the worst note. */
function acrossRounds(name: string, runs: Row[]): Row {
  const refs = runs.map((r) => r.ref).filter((ms): ms is number => ms !== null);
  const peaks = runs.map((r) => r.peakMb).filter((mb): mb is number => mb !== null);
  return {
    name,
    warm: median(runs.map((r) => r.warm)),
    fresh: median(runs.map((r) => r.fresh)),
    ref: refs.length === 0 ? null : median(refs),
    peakMb: peaks.length === 0 ? null : Math.max(...peaks),
    status: [...new Set(runs.map((r) => r.status))].join('/'),
    refNote: runs.find((r) => r.refNote !== 'ok')?.refNote ?? runs[0]?.refNote ?? '-',
  };
}
const rows = repos.map((name) => acrossRounds(name, samples.get(name) ?? []));
if (rounds > 1) {
  console.log('');
  console.log(`each repository's median over ${rounds} rounds:`);
  for (const row of rows) printRow(row);
}
pool.close();

const mWarm = median(rows.map((r) => r.warm));
const mFresh = median(rows.map((r) => r.fresh));
console.log('');
console.log(
  `median per repository: warm ${fmt(mWarm)}, fresh process ${fmt(mFresh)} (warm is ${(mFresh / mWarm).toFixed(1)}× faster)`,
);
console.log(
  `total: warm ${fmt(rows.reduce((s, r) => s + r.warm, 0))}, fresh ${fmt(rows.reduce((s, r) => s + r.fresh, 0))}`,
);
if (withReference) {
  const refs = rows.filter((r) => r.ref !== null);
  const mRef = median(refs.map((r) => r.ref as number));
  console.log(`reference median ${fmt(mRef)}, total ${fmt(refs.reduce((s, r) => s + (r.ref as number), 0))}`);
  console.log(`RATIO reference / warm (median per repository): ${(mRef / mWarm).toFixed(1)}×`);
  const perRepo = refs.map((r) => (r.ref as number) / r.warm);
  console.log(
    `median of per-repository ratios: ${median(perRepo).toFixed(1)}×; reference failures: ${
      refs
        .filter((r) => r.refNote !== 'ok')
        .map((r) => `${r.name} (${r.refNote})`)
        .join(', ') || 'none'
    }`,
  );
}
const peaks = rows
  .filter((r) => r.peakMb !== null)
  .sort((a, b) => (b.peakMb as number) - (a.peakMb as number));
if (peaks.length > 0) {
  console.log(
    `peak RSS of a fresh scanner process: max ${peaks[0]?.peakMb} MB; over 300 MB: ${peaks.filter((r) => (r.peakMb as number) > 300).length}`,
  );
  console.log('largest ten:');
  for (const r of peaks.slice(0, 10)) console.log(`  ${String(r.peakMb).padStart(4)} MB  ${r.name}`);
}
console.log(`pool: ${JSON.stringify(pool.counts)}; load at the end ${load()}`);
