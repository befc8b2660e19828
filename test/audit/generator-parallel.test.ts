import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

// Worker threads need the compiled worker (dist/): test/support/global-setup.ts fails the run without it.
const compiled = path.resolve(import.meta.dirname, '../../dist/src/testdata/index.js');

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('testdata-par')));
afterAll(() => cleanup());

describe('parallel test-data generation', () => {
  it('writes byte-identical files with worker threads and without', async () => {
    const { writeTestData } = await import(compiled);
    const opts = { count: 2_000, seed: 5, parallelFrom: 0 };
    const par = await writeTestData({
      ...opts,
      workers: 2,
      output: path.join(dir, 'p.jsonl'),
      manifestOutput: path.join(dir, 'pm.jsonl'),
    });
    const seq = await writeTestData({
      ...opts,
      workers: 1,
      output: path.join(dir, 's.jsonl'),
      manifestOutput: path.join(dir, 'sm.jsonl'),
    });
    expect(par.workers).toBe(2);
    expect(seq.workers).toBe(1);
    expect(readFileSync(path.join(dir, 'p.jsonl'), 'utf8')).toBe(
      readFileSync(path.join(dir, 's.jsonl'), 'utf8'),
    );
    expect(readFileSync(path.join(dir, 'pm.jsonl'), 'utf8')).toBe(
      readFileSync(path.join(dir, 'sm.jsonl'), 'utf8'),
    );
    expect(readFileSync(path.join(dir, 'p.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2_000);
  });
});
