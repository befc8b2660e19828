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

  it('counts blank and CRLF lines in the line numbers, and says why a line is unreadable', async () => {
    const file = path.join(tmp.dir, 'c.jsonl');
    await fs.writeFile(file, '{"a":1}\r\n   \r\n{"b":\n"x"\n');
    const lines = [];
    for await (const l of readJsonl(file)) lines.push(l);
    expect(lines).toEqual([
      { ok: true, line: 1, value: { a: 1 }, raw: '{"a":1}' },
      { ok: false, line: 3, error: expect.stringMatching(/^invalid JSON: /), raw: '{"b":' },
      { ok: true, line: 4, value: 'x', raw: '"x"' },
    ]);
  });

  it('opens a clean file, or an empty one, without cutting anything', async () => {
    const clean = path.join(tmp.dir, 'clean.jsonl');
    await fs.writeFile(clean, '{"a":1}\n');
    const w = await JsonlAppender.open(clean);
    expect(w.repairedBytes).toBe(0);
    await w.append([]);
    await w.close();
    expect(await fs.readFile(clean, 'utf8')).toBe('{"a":1}\n');
    const created = path.join(tmp.dir, 'new.jsonl');
    const w2 = await JsonlAppender.open(created);
    expect(w2.repairedBytes).toBe(0);
    await w2.append([{ n: 1 }]);
    await w2.close();
    expect(await fs.readFile(created, 'utf8')).toBe('{"n":1}\n');
  });

  it('cuts a torn first record (no newline at all) down to nothing', async () => {
    const file = path.join(tmp.dir, 'torn-only.jsonl');
    await fs.writeFile(file, '{"never":"finished"');
    const w = await JsonlAppender.open(file);
    expect(w.repairedBytes).toBe(19);
    await w.append([{ ok: 1 }]);
    await w.close();
    expect(await fs.readFile(file, 'utf8')).toBe('{"ok":1}\n');
  });

  it('finds the last newline behind a torn tail longer than its 64 KiB read window', async () => {
    for (const tornBytes of [64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 200_000]) {
      const file = path.join(tmp.dir, `long-torn-${tornBytes}.jsonl`);
      const head = '{"keep":1}\n{"keep":2}\n';
      await fs.writeFile(file, head + 'x'.repeat(tornBytes));
      const w = await JsonlAppender.open(file);
      expect(w.repairedBytes, String(tornBytes)).toBe(tornBytes);
      await w.append([{ keep: 3 }]);
      await w.close();
      expect(await fs.readFile(file, 'utf8'), String(tornBytes)).toBe(`${head}{"keep":3}\n`);
    }
  });

  it('a failed append leaves the file exactly as it was (nothing half written)', async () => {
    const file = path.join(tmp.dir, 'fail.jsonl');
    await fs.writeFile(file, '{"a":1}\n');
    const w = await JsonlAppender.open(file);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(w.append([{ b: 2 }, cyclic])).rejects.toThrow(/circular/i);
    await w.append([{ c: 3 }]);
    await w.close();
    expect(await fs.readFile(file, 'utf8')).toBe('{"a":1}\n{"c":3}\n');
  });
});
