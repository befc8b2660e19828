import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlAppender, readJsonl } from '../../src/core/jsonl.js';
import { tempDir } from '../support/tmp.js';

describe('jsonl', () => {
  const tmp = tempDir('jsonl');
  afterEach(() => undefined);

  it('reads good lines and reports corrupt and truncated ones with their line numbers', async () => {
    const file = path.join(tmp.dir, 'a.jsonl');
    await fs.writeFile(file, '{"a":1}\nnot json\n\n{"b":2}\n{"c":');
    const lines = [];
    for await (const l of readJsonl(file)) lines.push(l);
    expect(lines.map((l) => [l.line, l.ok])).toEqual([
      [1, true],
      [2, false],
      [4, true],
      [5, false],
    ]);
  });

  it('appends durably and cuts a torn tail left by a crash', async () => {
    const file = path.join(tmp.dir, 'b.jsonl');
    await fs.writeFile(file, '{"a":1}\n{"half":');
    const w = await JsonlAppender.open(file);
    expect(w.repairedBytes).toBe('{"half":'.length);
    await w.append([{ b: 2 }, { c: 3 }]);
    await w.close();
    expect(await fs.readFile(file, 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
  });
});
