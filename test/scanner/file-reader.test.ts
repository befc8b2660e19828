import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileReader } from '../../src/scanner/walk/file-reader.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-file-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const abs = path.join(dir, name);
  writeFileSync(abs, content);
  return abs;
}

describe('FileReader (one buffer for all the reads of a scan)', () => {
  it('gives each file its own bytes, whatever was read before it', () => {
    const reader = new FileReader();
    const big = Buffer.alloc(300_000, 'x');
    big.write('end', big.length - 3);
    const small = 'import os\n';
    expect(reader.read(file('big.py', big), 1_000_000)?.equals(big)).toBe(true);
    expect(reader.read(file('small.py', small), 1_000_000)?.toString()).toBe(small);
    expect(reader.read(file('empty.py', ''), 1_000_000)).toEqual(Buffer.alloc(0));
    expect(reader.read(file('big2.py', big), 1_000_000)?.equals(big)).toBe(true);
  });

  it('refuses a file over the cap without reading it, and a missing file', () => {
    const reader = new FileReader();
    expect(reader.read(file('over.py', 'x'.repeat(101)), 100)).toBe('too_large');
    expect(reader.read(file('at.py', 'x'.repeat(100)), 100)?.length).toBe(100);
    expect(reader.read(path.join(dir, 'missing.py'), 100)).toBeNull();
  });

  it('does not follow a link or wait on a pipe put where a listed file was', () => {
    const reader = new FileReader();
    const secret = file('outside.txt', 'not for the scan');
    const link = path.join(dir, 'link.py');
    symlinkSync(secret, link);
    expect(reader.read(link, 1_000)).toBeNull();
    const fifo = path.join(dir, 'fifo.py');
    execFileSync('mkfifo', [fifo]);
    expect(reader.read(fifo, 1_000)).toBeNull();
    expect(reader.read(dir, 1_000)).toBeNull();
  });
});
