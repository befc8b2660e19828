/**
 * Replacement-merge benchmark (docs/reproducibility.md): a data directory of N full-size
 * synthetic pings, a journal replacing R of them (every k-th row, a new scan_id), then one
 * `mergeReplacements` — the cost a rescan pays per merge. Prints wall time, MB/s of result file
 * rewritten, and the peak RSS growth of this process.
 *
 *   npm run build && node dist/bench/replace-merge.js [rows] [replaced]   (default: 50000 2000)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeTestData } from '../src/testdata/index.js';
import { journalPath, mergeReplacements } from '../src/workers/writer/replacements.js';

const rows = Number(process.argv[2] ?? 50_000);
const replaced = Number(process.argv[3] ?? 2000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-merge-bench-'));
try {
  const results = path.join(dir, 'scan_results.jsonl');
  await writeTestData({ count: rows, seed: 42, output: results });
  const lines = readFileSync(results, 'utf8').split('\n').filter(Boolean);
  const step = Math.max(1, Math.floor(lines.length / replaced));
  const journal: string[] = [];
  for (let i = 0; i < lines.length && journal.length < replaced; i += step) {
    const row = JSON.parse(lines[i] as string) as Record<string, unknown>;
    row.scan_id = randomBytes(8).toString('hex');
    journal.push(JSON.stringify({ file: 'results', row }));
  }
  writeFileSync(journalPath(dir), `${journal.join('\n')}\n`);
  const bytes = statSync(results).size;
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const outcome = await mergeReplacements(dir);
  const ms = performance.now() - started;
  clearInterval(sampler);
  const mb = bytes / 1024 / 1024;
  console.log(
    `merge of ${outcome.replaced} replacements into ${rows} rows (${mb.toFixed(0)} MB): ` +
      `${(ms / 1000).toFixed(2)} s, ${(mb / (ms / 1000)).toFixed(0)} MB/s, RSS growth ${((peak - rssBefore) / 1024 / 1024).toFixed(0)} MB ` +
      `(load ${os.loadavg()[0]?.toFixed(2)})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
