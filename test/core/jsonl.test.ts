import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileExists, JsonlAppender, readJsonl } from '../../src/core/jsonl.js';
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

  it('a closed appender refuses to write', async () => {
    const file = path.join(tmp.dir, 'closed.jsonl');
    const w = await JsonlAppender.open(file);
    await w.close();
    await expect(w.append([{ late: true }])).rejects.toThrow();
    expect(await fs.readFile(file, 'utf8')).toBe('');
  });

  it('fileExists tells files that exist from those that do not', async () => {
    const file = path.join(tmp.dir, 'exists.jsonl');
    expect(await fileExists(file)).toBe(false);
    await fs.writeFile(file, '');
    expect(await fileExists(file)).toBe(true);
  });

  it('on a full disk, an append that does not fit fails and leaves the earlier records exactly as they were', async (ctx) => {
    const dir = path.join(tmp.dir, 'small-disk');
    await fs.mkdir(dir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      // The suite's global setup already failed the run when it is not root (test/support/prerequisites.ts).
      ctx.skip();
    }
    try {
      const file = path.join(dir, 'rows.jsonl');
      const w = await JsonlAppender.open(file);
      await w.append([{ n: 1 }, { n: 2 }]);
      const big = Array.from({ length: 40 }, (_, i) => ({ i, pad: 'x'.repeat(4000) }));
      await expect(w.append(big)).rejects.toThrow(/ENOSPC|short write/);
      expect(await fs.readFile(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
      await w.append([{ n: 3 }]);
      await w.close();
      expect(await fs.readFile(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    } finally {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    }
  });
});
