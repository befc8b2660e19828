/**
 * Audit benchmark: generates 50,000 and 200,000 full-size synthetic pings (with their
 * manifest), then runs the full audit with --split in a child process and prints wall time,
 * peak RSS (the child's maxRSS) and pings/s.
 *
 *   npm run build && node dist/bench/audit.js [counts…]   (default: 50000 200000)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAudit } from '../src/audit/index.js';
import { writeTestData } from '../src/testdata/index.js';

interface ChildResult {
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  rows: number;
  gatesPassed: number;
  train: number;
  test: number;
}

async function child(input: string, manifest: string, outDir: string): Promise<void> {
  const started = performance.now();
  const r = await runAudit({ input, manifest, outDir, split: true });
  const result: ChildResult = {
    ms: performance.now() - started,
    cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    rows: r.rows,
    gatesPassed: r.gates.filter((g) => g.pass).length,
    train: r.split?.train ?? 0,
    test: r.split?.test ?? 0,
  };
  process.stdout.write(JSON.stringify(result));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string);
    return;
  }
  const counts = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
  const self = fileURLToPath(import.meta.url);
  try {
    for (const count of counts.length ? counts : [50_000, 200_000]) {
      const input = path.join(dir, `scan_results_${count}.jsonl`);
      const manifest = path.join(dir, `manifest_${count}.jsonl`);
      let t = performance.now();
      const cpu0 = process.cpuUsage();
      const gen = await writeTestData({ count, seed: 42, output: input, manifestOutput: manifest });
      const genMs = performance.now() - t;
      const genCpu = process.cpuUsage(cpu0);
      const bytes = statSync(input).size;
      const load = os.loadavg()[0]?.toFixed(2);
      console.log(
        `generate ${count} (with its manifest): ${(genMs / 1000).toFixed(2)} s (CPU ${((genCpu.user + genCpu.system) / 1e6).toFixed(2)} s) with ${gen.workers} thread(s) (${Math.round(count / (genMs / 1000))} pings/s), ` +
          `${(bytes / 1e6).toFixed(1)} MB, ${Math.round(bytes / count)} B/ping; load average ${load} on ${os.availableParallelism()} cores`,
      );
      const outDir = path.join(dir, `out_${count}`);
      t = performance.now();
      const raw = execFileSync(process.execPath, [self, '--child', input, manifest, outDir], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      const wallMs = performance.now() - t;
      const r = JSON.parse(raw) as ChildResult;
      console.log(
        `audit --split ${count}: wall ${(wallMs / 1000).toFixed(2)} s (runAudit ${(r.ms / 1000).toFixed(2)} s, ` +
          `CPU ${(r.cpuMs / 1000).toFixed(2)} s), ` +
          `peak RSS ${r.maxRssMb.toFixed(0)} MB, ${Math.round(count / (r.ms / 1000))} pings/s; ` +
          `rows ${r.rows}, train ${r.train}, test ${r.test}, gates ${r.gatesPassed}/8`,
      );
      rmSync(input, { force: true });
      rmSync(outDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
