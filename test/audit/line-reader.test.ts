import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachLine, forEachLineBytes } from '../../src/audit/line-reader.js';
import { tempDir } from '../support/tmp.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('lines')));
afterAll(() => cleanup());

async function lines(content: string | Buffer) {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, content);
  const out: Array<[number, string]> = [];
  const r = await forEachLine(file, (raw, n) => out.push([n, raw]));
  return { out, ...r };
}

describe('forEachLine', () => {
  it('numbers lines from 1, skips blank ones, strips CR, keeps a last line without newline', async () => {
    const { out, lines: n } = await lines('a\r\n\n  \nb→c\nlast');
    expect(out).toEqual([
      [1, 'a'],
      [4, 'b→c'],
      [5, 'last'],
    ]);
    expect(n).toBe(5);
  });

  it('handles lines longer than the read buffer and multi-byte characters across chunk edges', async () => {
    const long = '→'.repeat(700_000); // 2.1 MB of 3-byte characters
    const { out } = await lines(`x\n${long}\ny\n`);
    expect(out.map(([n, s]) => [n, s.length])).toEqual([
      [1, 1],
      [2, 700_000],
      [3, 1],
    ]);
    expect(out[1]![1]).toBe(long);
  });

  it('gives the bytes of each line under the same numbers, without decoding them', async () => {
    const content = Buffer.concat([
      Buffer.from('a\r\n\n  \nb→c\n'),
      Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), // invalid UTF-8 stays as it is
      Buffer.from('last'),
    ]);
    const file = path.join(dir, 'bytes.txt');
    writeFileSync(file, content);
    const out: Array<[number, string]> = [];
    const r = await forEachLineBytes(file, (bytes, n) => out.push([n, bytes.toString('hex')]));
    expect(out).toEqual([
      [1, Buffer.from('a').toString('hex')],
      [3, Buffer.from('  ').toString('hex')],
      [4, Buffer.from('b→c').toString('hex')],
      [5, '7bff7d'],
      [6, Buffer.from('last').toString('hex')],
    ]);
    expect(r).toEqual({ lines: 6, bytes: content.length });
  });
});
