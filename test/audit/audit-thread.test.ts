import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditOnThread } from '../../src/audit/audit-thread.js';
import { AuditInputError } from '../../src/audit/errors.js';
import { runAudit } from '../../src/audit/index.js';
import { writeTestData } from '../../src/testdata/index.js';
import { tempDir } from '../support/tmp.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('audit-on-thread')));
afterAll(() => cleanup());

// The thread runs the compiled module (dist/): test/support/global-setup.ts fails the run without it.
describe('runAuditOnThread', () => {
  it('returns what runAudit returns and relays the progress of both passes', async () => {
    const input = path.join(dir, 'scan_results.jsonl');
    await writeTestData({ count: 400, seed: 5, output: input });
    const progress: Array<[number, number]> = [];
    const threaded = await runAuditOnThread({
      input,
      outDir: path.join(dir, 'thread'),
      split: true,
      format: 'json',
      onProgress: (read, total) => progress.push([read, total]),
    });
    const inline = await runAudit({ input, outDir: path.join(dir, 'inline'), split: true, format: 'json' });
    const numbers = (output: string) => {
      const j = JSON.parse(output);
      delete j.generated_at;
      delete j.files;
      return j;
    };
    expect(numbers(threaded.output)).toEqual(numbers(inline.output));
    expect(threaded.split).toEqual(inline.split);
    expect(threaded.rows).toBe(400);
    const size = statSync(input).size;
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual([2 * size, 2 * size]);
  });

  it('rejects with the audit error classes the CLI tells apart', async () => {
    const input = path.join(dir, 'absent.jsonl');
    const err = await runAuditOnThread({ input, outDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditInputError);
    expect((err as Error).message).toBe(`input ${input} does not exist`);
  });
});
