import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import { tempDir } from '../support/tmp.js';
import { failed, manifestRow, ping, writeJsonl } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('audit-corrupt')));
afterAll(() => cleanup());

describe('corrupt, truncated, invalid and duplicate lines', () => {
  it('are counted and reported with line numbers; every other row is audited and split', async () => {
    const good1 = JSON.stringify(ping({ repo: 'c/one', risk: 40 }));
    const good2 = JSON.stringify(failed('c/two'));
    const broken = ping({ repo: 'c/bad', rules: { R1: -3 } });
    broken.finding_rule_count = 5;
    const good3 = JSON.stringify(ping({ repo: 'c/three', status: 'partial' }));
    const truncated = JSON.stringify(ping({ repo: 'c/cut' })).slice(0, 700);
    const lines = [
      good1, // 1
      '{"scan_id": "abc", "timestamp":', // 2 corrupt
      good2, // 3
      '', // 4 blank: skipped, not counted
      JSON.stringify(broken), // 5 contract-invalid
      good1, // 6 duplicate of line 1
      good3, // 7
      truncated, // 8 truncated last line, no newline
    ];
    const input = path.join(dir, 'scan_results.jsonl');
    writeFileSync(input, lines.join('\n'));
    const r = await runAudit({ input, outDir: dir, split: true });
    expect(r.rows).toBe(3);
    expect(r.corruptLines).toBe(2);
    expect(r.invalidRows).toBe(1);
    expect(r.duplicateRows).toBe(1);
    const audit = JSON.parse(readFileSync(r.auditJsonPath, 'utf8'));
    expect(audit.lines).toBe(7);
    expect(audit.sections.volume.corrupt.map((c: any) => c.line)).toEqual([2, 8]);
    expect(audit.sections.volume.invalid).toHaveLength(1);
    expect(audit.sections.volume.invalid[0]).toMatchObject({ line: 5, repo: 'c/bad' });
    expect(audit.sections.volume.invalid[0].error).toContain('/finding_rule_count');
    expect(audit.sections.volume.duplicates).toEqual([
      { line: 6, repo: 'c/one', error: 'repeats the row of c/one' },
    ]);
    const report = readFileSync(r.reportPath, 'utf8');
    expect(report).toContain('- line 2: ');
    expect(report).toContain('- line 8: ');
    expect(report).toContain('- line 5 (c/bad): ');
    // The accepted rows with agent content, and only they, reach the split files, byte for byte
    // (good2 is an accepted failed row: in the audit, not in the split).
    const train = readFileSync(path.join(dir, 'scan_results_train.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean);
    const test = readFileSync(path.join(dir, 'scan_results_test.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect([...train, ...test].sort()).toEqual([good1, good3].sort());
  });

  it('reports invalid manifest lines and unreadable sidecar lines instead of using them', async () => {
    const out = path.join(dir, 'manifest-out');
    const input = writeJsonl(dir, 'm-results.jsonl', [ping({ repo: 'm/one' }), ping({ repo: 'm/two' })]);
    const manifest = writeJsonl(dir, 'm-manifest.jsonl', [
      manifestRow('m/one', { python: 1 }),
      '{"repo_full_name": "m/two"}',
      'not json',
      manifestRow('m/one', { python: 1 }),
    ]);
    mkdirSync(out, { recursive: true });
    writeFileSync(
      path.join(out, 'split_assignment.jsonl'),
      '{"repo_full_name":"m/one","split":"test"}\n{oops\n',
    );
    const r = await runAudit({ input, manifest, outDir: out, split: true });
    const audit = JSON.parse(readFileSync(r.auditJsonPath, 'utf8'));
    expect(audit.sections.volume).toMatchObject({
      manifest_rows: 1,
      manifest_invalid_rows: 2,
      manifest_duplicate_rows: 1,
      manifest_repos_without_row: 0,
      rows_not_in_manifest: 1,
    });
    expect(audit.sections.volume.manifest_invalid.map((x: any) => x.line)).toEqual([2, 3]);
    expect(r.split).toMatchObject({ frozen: 1, unreadableSidecarLines: 1 });
  });

  it('an input with no readable row is refused and nothing is written (empty, or corrupt lines only)', async () => {
    const empty = path.join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const garbage = path.join(dir, 'garbage.jsonl');
    writeFileSync(garbage, 'not json\n{"scan_id":\n');
    for (const [input, says] of [
      [empty, /empty\.jsonl: no readable row \(0 corrupt lines, 0 invalid rows\); nothing written/],
      [garbage, /garbage\.jsonl: no readable row \(2 corrupt lines, 0 invalid rows\); nothing written/],
    ] as const) {
      const outDir = path.join(dir, `${path.basename(input)}-out`);
      await expect(runAudit({ input, outDir })).rejects.toThrow(says);
      expect(existsSync(outDir)).toBe(false);
    }
  });

  it('gates with no data say n/a, never PASS; a count below its threshold still fails', async () => {
    const input = writeJsonl(dir, 'failed-only.jsonl', [failed('f/one'), failed('f/two')]);
    const r = await runAudit({ input, outDir: path.join(dir, 'failed-only-out') });
    const verdict = Object.fromEntries(r.gates.map((g) => [g.id, g.verdict]));
    // No success/partial row: no topology share (G5) and no coverage median (G8) to judge.
    expect(verdict).toMatchObject({ G1: 'FAIL', G5: 'n/a', G7: 'FAIL', G8: 'n/a' });
    expect(r.gates.filter((g) => g.verdict === 'n/a').every((g) => !g.pass)).toBe(true);
  });

  it('a missing input is a clear error', async () => {
    await expect(runAudit({ input: path.join(dir, 'nope.jsonl'), outDir: dir })).rejects.toThrow(
      /input .*nope\.jsonl does not exist/,
    );
  });
});
