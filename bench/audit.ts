/**
 * Audit benchmark: generates 50,000 and 200,000 full-size synthetic pings (with their
 * manifest), then runs the real command, `stratum-pipeline audit --split`, in a child process
 * and prints its wall time, CPU time, peak RSS (the child's maxRSS) and pings/s.
 *
 * With `--reference PATH` (the reference's `pipeline/` folder, or a git directory of
 * stratum-cli whose HEAD's pipeline/ is extracted), each run is followed by the reference's
 * `python3 pipeline/audit.py --input … --split` on the same file, and both times, their ratio
 * and both peak RSS are printed (the same load for both, which a ratio mostly cancels).
 *
 *   npm run build && node dist/bench/audit.js [--runs N] [--reference PATH] [counts…]
 *   (default: 50000 200000, 1 run, no reference)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTestData } from '../src/testdata/index.js';

interface ChildUsage {
  cpuMs: number;
  maxRssMb: number;
}

const cliFile = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** Child mode: runs the CLI with `args` in this process and writes its resource usage to `usageFile` on exit. */
async function child(usageFile: string, args: string[]): Promise<void> {
  process.on('exit', () => {
    const u = process.resourceUsage();
    const usage: ChildUsage = { cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMb: u.maxRSS / 1024 };
    writeFileSync(usageFile, JSON.stringify(usage));
  });
  process.argv = [process.argv[0] as string, cliFile, ...args];
  await import(cliFile);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * A directory holding the reference's `pipeline/` (its audit.py writes the split under
 * `pipeline/data/`, relative to the working directory): `reference` itself when it is a
 * pipeline folder, else its HEAD's pipeline/ extracted from the git directory it names.
 */
function referenceRoot(reference: string, dir: string): string {
  if (existsSync(path.join(reference, 'audit.py'))) {
    const root = path.join(dir, 'reference');
    mkdirSync(root);
    execFileSync('cp', ['-r', reference, path.join(root, 'pipeline')]);
    return root;
  }
  const root = path.join(dir, 'reference');
  mkdirSync(root);
  const archive = execFileSync('git', ['--git-dir', reference, 'archive', 'HEAD', 'pipeline'], {
    maxBuffer: 256 << 20,
  });
  execFileSync('tar', ['-x', '-C', root], { input: archive });
  if (!existsSync(path.join(root, 'pipeline', 'audit.py')))
    throw new Error(`--reference ${reference}: no pipeline/audit.py there`);
  return root;
}

/** Runs the reference audit with --split on `input`; wall time and the interpreter's peak RSS. */
function referenceAudit(
  root: string,
  input: string,
): { wallMs: number; cpuMs: number; maxRssMb: number; gates: string } {
  // Python reports its own peak RSS (ru_maxrss, KiB on Linux) and CPU time after audit.py's main returns.
  const script = [
    'import resource, runpy, sys',
    "sys.argv = ['pipeline/audit.py', '--input', sys.argv[1], '--output', 'pipeline/data/bench_audit_report.md', '--split']",
    "runpy.run_path('pipeline/audit.py', run_name='__main__')",
    'u = resource.getrusage(resource.RUSAGE_SELF)',
    "print('maxrss_kb', u.ru_maxrss, 'cpu_s', u.ru_utime + u.ru_stime)",
  ].join('\n');
  const started = performance.now();
  const r = spawnSync('python3', ['-c', script, input], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - started;
  if (r.status !== 0) throw new Error(`reference audit exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const rss = /maxrss_kb (\d+) cpu_s ([\d.]+)/.exec(r.stdout);
  const gates = /Quality gates: (\d+\/\d+) passed/.exec(r.stdout);
  return {
    wallMs,
    cpuMs: rss ? Number(rss[2]) * 1000 : Number.NaN,
    maxRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
    gates: gates?.[1] ?? '?',
  };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3] as string, process.argv.slice(4));
    return;
  }
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Math.max(1, Number(args.splice(runsAt, 2)[1])) : 1;
  const referenceAt = args.indexOf('--reference');
  const reference = referenceAt >= 0 ? args.splice(referenceAt, 2)[1] : undefined;
  const counts = args.map(Number).filter((n) => n > 0);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
  const self = fileURLToPath(import.meta.url);
  try {
    const refRoot = reference ? referenceRoot(path.resolve(reference), dir) : undefined;
    for (const count of counts.length ? counts : [50_000, 200_000]) {
      const input = path.join(dir, `scan_results_${count}.jsonl`);
      const manifest = path.join(dir, `manifest_${count}.jsonl`);
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      const gen = await writeTestData({ count, seed: 42, output: input, manifestOutput: manifest });
      const genMs = performance.now() - t;
      const genCpu = process.cpuUsage(cpu0);
      // The files just written are flushed first, so the audit does not share the disk with
      // their write-back.
      spawnSync('sync');
      const bytes = statSync(input).size;
      console.log(
        `generate ${count} (with its manifest): ${(genMs / 1000).toFixed(2)} s (CPU ${((genCpu.user + genCpu.system) / 1e6).toFixed(2)} s) with ${gen.workers} thread(s) (${Math.round(count / (genMs / 1000))} pings/s), ` +
          `${(bytes / 1e6).toFixed(1)} MB, ${Math.round(bytes / count)} B/ping`,
      );
      const walls: number[] = [];
      const rsss: number[] = [];
      const ratios: number[] = [];
      const refWalls: number[] = [];
      const refRsss: number[] = [];
      for (let run = 1; run <= runs; run++) {
        const outDir = path.join(dir, `out_${count}`);
        const usageFile = path.join(dir, 'usage.json');
        const load = os.loadavg()[0]?.toFixed(2);
        const started = performance.now();
        const r = spawnSync(
          process.execPath,
          [
            self,
            '--child',
            usageFile,
            '--data-dir',
            outDir,
            'audit',
            '--output-dir',
            outDir,
            '--input',
            input,
            '--manifest',
            manifest,
            '--split',
          ],
          { encoding: 'utf8', maxBuffer: 64 << 20 },
        );
        const wallMs = performance.now() - started;
        if (r.status !== 0) throw new Error(`audit exited ${r.status}: ${r.stderr.slice(-2000)}`);
        const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as ChildUsage;
        const audit = JSON.parse(readFileSync(path.join(outDir, 'audit.json'), 'utf8')) as {
          rows: number;
          gates: Array<{ pass: boolean }>;
          split: { train: number; test: number } | null;
        };
        walls.push(wallMs);
        rsss.push(usage.maxRssMb);
        console.log(
          `audit --split ${count} (run ${run}/${runs}, load average before ${load} on ${os.availableParallelism()} cores): ` +
            `wall ${(wallMs / 1000).toFixed(2)} s, CPU ${(usage.cpuMs / 1000).toFixed(2)} s, ` +
            `peak RSS ${usage.maxRssMb.toFixed(0)} MB, ${Math.round(count / (wallMs / 1000))} pings/s; ` +
            `rows ${audit.rows}, train ${audit.split?.train ?? 0}, test ${audit.split?.test ?? 0}, ` +
            `gates ${audit.gates.filter((g) => g.pass).length}/8`,
        );
        rmSync(outDir, { recursive: true, force: true });
        if (refRoot) {
          const refLoad = os.loadavg()[0]?.toFixed(2);
          const ref = referenceAudit(refRoot, input);
          ratios.push(wallMs / ref.wallMs);
          refWalls.push(ref.wallMs);
          refRsss.push(ref.maxRssMb);
          console.log(
            `reference audit.py --split ${count} (run ${run}/${runs}, load average before ${refLoad}): ` +
              `wall ${(ref.wallMs / 1000).toFixed(2)} s, CPU ${(ref.cpuMs / 1000).toFixed(2)} s, peak RSS ${ref.maxRssMb.toFixed(0)} MB, gates ${ref.gates}; ` +
              `ours/reference: wall ${(wallMs / ref.wallMs).toFixed(2)}, CPU ${(usage.cpuMs / ref.cpuMs).toFixed(2)}`,
          );
        }
      }
      if (runs > 1)
        console.log(
          `audit --split ${count}: median of ${runs} runs: wall ${(median(walls) / 1000).toFixed(2)} s ` +
            `(${(Math.min(...walls) / 1000).toFixed(2)}–${(Math.max(...walls) / 1000).toFixed(2)}), ` +
            `peak RSS ${median(rsss).toFixed(0)} MB (${Math.min(...rsss).toFixed(0)}–${Math.max(...rsss).toFixed(0)})`,
        );
      if (runs > 1 && ratios.length)
        console.log(
          `reference audit.py --split ${count}: median of ${runs} runs: wall ${(median(refWalls) / 1000).toFixed(2)} s, ` +
            `peak RSS ${median(refRsss).toFixed(0)} MB; ours/reference median ${median(ratios).toFixed(2)} ` +
            `(${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
        );
      rmSync(input, { force: true });
      rmSync(manifest, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
