import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import { tempDir } from '../support/tmp.js';
import { ping } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('audit-progress')));
afterAll(() => cleanup());

describe('audit progress', () => {
  it('counts the bytes of both passes, ending at twice the input (once for a section)', async () => {
    const input = path.join(dir, 'scan_results.jsonl');
    // ~3 chunks of input, so progress is reported more than once per pass.
    const lines = Array.from({ length: 1_800 }, (_, i) => JSON.stringify(ping({ repo: `p/r${i}` })));
    writeFileSync(input, lines.join('\n')); // the last line without its newline
    const size = statSync(input).size;
    const seen: Array<[number, number]> = [];
    await runAudit({
      input,
      outDir: path.join(dir, 'out'),
      split: true,
      onProgress: (b, t) => seen.push([b, t]),
    });
    expect(seen.length).toBeGreaterThan(4);
    expect(seen.every(([, t]) => t === 2 * size)).toBe(true);
    expect(seen.every(([b], i) => i === 0 || b >= (seen[i - 1] as [number, number])[0])).toBe(true);
    expect(seen.at(-1)?.[0]).toBe(2 * size);

    const section: Array<[number, number]> = [];
    await runAudit({
      input,
      outDir: path.join(dir, 'out2'),
      section: 'volume',
      onProgress: (b, t) => section.push([b, t]),
    });
    expect(section.at(-1)).toEqual([size, size]);
  });
});
