import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPythonParser } from '../../src/scanner/parse/python-parser.js';
import { warmUp } from '../../src/scanner/serve/warm-up.js';

const savedTmp = process.env.TMPDIR;
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

describe('warm-up of a scanner process', () => {
  it('none when the budget is 0', async () => {
    expect(await warmUp(0)).toEqual({ passes: 0, ms: 0 });
  });

  it('scans the synthetic repository within the budget and leaves nothing behind', async () => {
    await loadPythonParser();
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-warm-up-test-'));
    process.env.TMPDIR = tmp;
    try {
      const report = await warmUp(300);
      expect(report.error).toBeUndefined();
      expect(report.passes).toBeGreaterThanOrEqual(1);
      expect(report.passes).toBeLessThanOrEqual(24);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a temporary directory it cannot write is a reason in the report, not a crash', async () => {
    process.env.TMPDIR = '/nonexistent/stratum-warm-up';
    const report = await warmUp(300);
    expect(report.passes).toBe(0);
    expect(report.error).toMatch(/ENOENT/);
  });
});
