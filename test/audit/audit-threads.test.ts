import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

// Worker threads need the compiled worker (dist/): test/support/global-setup.ts fails the run without it.
const compiledAudit = path.resolve(import.meta.dirname, '../../dist/src/audit/index.js');
const compiledData = path.resolve(import.meta.dirname, '../../dist/src/testdata/index.js');

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('audit-threads')));
afterAll(() => cleanup());

const OUTPUTS = [
  'scan_results.parquet',
  'scan_results_train.parquet',
  'scan_results_test.parquet',
  'scan_results_train.jsonl',
  'scan_results_test.jsonl',
  'split_assignment.jsonl',
];

describe('audit on worker threads', () => {
  it('writes the same files as the single-thread audit, and the same report numbers', async () => {
    const { runAudit } = await import(compiledAudit);
    const { writeTestData } = await import(compiledData);
    const input = path.join(dir, 'scan_results.jsonl');
    const manifest = path.join(dir, 'manifest.jsonl');
    await writeTestData({ count: 1_500, seed: 3, output: input, manifestOutput: manifest, workers: 1 });
    // Hostile lines the chunking must carry whole: one longer than a chunk (3 MB), a duplicate
    // row, blank lines, and a truncated last line without its newline.
    const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean);
    const long = JSON.stringify({ ...JSON.parse(lines[10] as string), failure_detail: 'x'.repeat(3 << 20) });
    lines.splice(700, 0, long, '', '   ', lines[5] as string);
    writeFileSync(input, `${lines.join('\n')}\n${(lines[20] as string).slice(0, 100)}`);
    const threaded = await runAudit({
      input,
      manifest,
      outDir: path.join(dir, 't'),
      split: true,
      threads: true,
    });
    const single = await runAudit({
      input,
      manifest,
      outDir: path.join(dir, 's'),
      split: true,
      threads: false,
    });
    for (const name of OUTPUTS) {
      const a = readFileSync(path.join(dir, 't', name));
      const b = readFileSync(path.join(dir, 's', name));
      expect(a.length, name).toBeGreaterThan(0);
      expect(a.equals(b), name).toBe(true);
    }
    const numbers = (file: string) => {
      const j = JSON.parse(readFileSync(file, 'utf8'));
      delete j.generated_at;
      delete j.generatedAt;
      delete j.files;
      return j;
    };
    expect(numbers(threaded.auditJsonPath)).toEqual(numbers(single.auditJsonPath));
    expect(threaded.rows).toBe(1_500);
    expect([threaded.corruptLines, threaded.invalidRows, threaded.duplicateRows]).toEqual([1, 1, 1]);
    expect(threaded.split.train + threaded.split.test + threaded.split.notSplit).toBe(1_500);
    expect(threaded.split.notSplit).toBeGreaterThan(0);
  });

  it('reports a worker that dies, or a row it cannot encode, as an error, not a hang', async () => {
    const { ThreadChunkPool, chunkWorkerFile } = await import(
      path.resolve(import.meta.dirname, '../../dist/src/audit/chunk-pool.js')
    );
    const pool = new ThreadChunkPool(chunkWorkerFile(), 1);
    try {
      const verdicts = JSON.parse(await pool.judge(Buffer.from('{"scan_id":"a"}\nnot json\n')));
      expect(verdicts.map((v: { kind: string; at: number }) => [v.kind, v.at])).toEqual([
        ['invalid', 0],
        ['corrupt', 1],
      ]);
      // A row the worker cannot encode is an error reply, not a hang.
      await expect(pool.encode(Buffer.from('not json\n'))).rejects.toThrow(/audit worker: .*JSON/);
      // A worker that is gone answers every request with its exit, at once.
      await (
        pool as unknown as { threads: Array<{ worker: { terminate(): Promise<number> } }> }
      ).threads[0]?.worker.terminate();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const pending = pool.judge(Buffer.from('{}\n'));
      await expect(pending).rejects.toThrow(/audit worker exited/);
    } finally {
      await pool.close();
    }
  });
});
