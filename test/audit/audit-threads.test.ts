import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

// Worker threads need the compiled worker (dist/, built by `npm test`'s pretest step).
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

describe.runIf(existsSync(compiledAudit) && existsSync(compiledData))('audit on worker threads', () => {
  it('writes the same files as the single-thread audit, and the same report numbers', async () => {
    const { runAudit } = await import(compiledAudit);
    const { writeTestData } = await import(compiledData);
    const input = path.join(dir, 'scan_results.jsonl');
    const manifest = path.join(dir, 'manifest.jsonl');
    await writeTestData({ count: 1_500, seed: 3, output: input, manifestOutput: manifest, workers: 1 });
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
    expect(threaded.split.train + threaded.split.test + threaded.split.notSplit).toBe(1_500);
    expect(threaded.split.notSplit).toBeGreaterThan(0);
  });

  it('reports a worker that cannot write its file as an error, not a hang', async () => {
    const { ParquetWorker, parquetWorkerFile } = await import(
      path.resolve(import.meta.dirname, '../../dist/src/audit/threaded-parquet.js')
    );
    const worker = new ParquetWorker(parquetWorkerFile());
    try {
      const file = path.join(dir, 'missing-dir', 'x.parquet');
      const sink = worker.open(file, {});
      sink.addLine(Buffer.from('{"scan_id":"a"}'));
      await expect(sink.finish()).rejects.toThrow(/Parquet worker for .*x\.parquet/);
      expect(existsSync(file)).toBe(false);
      // The same worker still writes another file.
      const ok = worker.open(path.join(dir, 'ok.parquet'), {});
      ok.addLine(Buffer.from('{"scan_id":"a"}'));
      await ok.finish();
      expect(existsSync(path.join(dir, 'ok.parquet'))).toBe(true);
    } finally {
      await worker.close();
    }
  });
});
