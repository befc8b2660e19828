import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAuditCommands } from '../../src/audit/commands.js';
import { CommandError } from '../../src/core/command.js';
import { tempDir } from '../support/tmp.js';
import { writeDataset } from './dataset.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('audit-cli'));
  writeDataset(dir);
});
afterAll(() => cleanup());
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in-process; returns stdout and the thrown CommandError, if any. */
async function cli(...args: string[]): Promise<{ out: string; error?: CommandError }> {
  const program = new Command('stratum-pipeline').option('--data-dir <dir>').exitOverride();
  registerAuditCommands(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'stratum-pipeline', '--data-dir', dir, ...args]);
    return { out };
  } catch (err) {
    if (err instanceof CommandError) return { out, error: err };
    throw err;
  } finally {
    vi.restoreAllMocks();
  }
}

describe('audit and generate-test-data commands', () => {
  it('audit prints the gate table and writes the report into the data dir', async () => {
    const { out, error } = await cli('audit', '--strata', path.join(dir, 'strata.yaml'));
    expect(error).toBeUndefined();
    expect(out).toContain('| G1 | volume | FAIL | 4 success+partial rows (need ≥ 40000) |');
    expect(out).toContain('2/8 gates pass · 7 rows');
    expect(existsSync(path.join(dir, 'dataset_audit_report.md'))).toBe(true);
    expect(existsSync(path.join(dir, 'DATASET_CARD.md'))).toBe(true);
  });

  it('--fail-on-gates exits 1 naming the failed gates; passing gates exit 0', async () => {
    const failing = await cli('audit', '--fail-on-gates');
    expect(failing.error?.exitCode).toBe(1);
    expect(failing.error?.message).toBe('quality gates failed: G1, G2, G3, G4, G6, G7');
    const lenient = path.join(dir, 'lenient.yaml');
    writeFileSync(
      lenient,
      [
        'gates:',
        '  G1_volume: {min_effective_rows: 1}',
        '  G2_frameworks: {frameworks: [LangChain], min_repos_each: 1}',
        '  G3_maturity: {min_repos: 1}',
        '  G4_rules: {min_rules: 1, min_repos_per_rule: 1}',
        '  G6_empty: {max_share: 0.5}',
        '  G7_failed: {max_share: 0.5}',
      ].join('\n'),
    );
    const passing = await cli('audit', '--fail-on-gates', '--gates', lenient);
    expect(passing.error).toBeUndefined();
    expect(passing.out).toContain('8/8 gates pass');
  });

  it('an unknown section exits 2 listing the valid ones', async () => {
    const { error } = await cli('audit', '--section', 'bogus');
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toMatch(
      /unknown section "bogus"; valid sections: volume, frameworks, .*recommendations/,
    );
  });

  it('--format json prints audit.json; --section prints one section', async () => {
    const json = await cli('audit', '--format', 'json');
    expect(JSON.parse(json.out)).toMatchObject({ rows: 7, corrupt_lines: 0 });
    const section = await cli('audit', '--section', 'volume');
    expect(section.out.startsWith('## Volume')).toBe(true);
    const bad = await cli('audit', '--format', 'xml');
    expect(bad.error?.exitCode).toBe(2);
  });

  it("auditing another file never replaces the run's outputs: beside that file, or --output-dir", async () => {
    const runReport = path.join(dir, 'dataset_audit_report.md');
    await cli('audit');
    const before = readFileSync(runReport, 'utf8');
    const other = path.join(dir, 'elsewhere');
    mkdirSync(other, { recursive: true });
    copyFileSync(path.join(dir, 'scan_results.jsonl'), path.join(other, 'subset.jsonl'));
    // Even an input inside the data directory, when it is not the run's own results file.
    copyFileSync(path.join(dir, 'scan_results.jsonl'), path.join(dir, 'copy.jsonl'));
    const beside = await cli('audit', '--input', path.join(other, 'subset.jsonl'));
    expect(beside.error).toBeUndefined();
    expect(beside.out).toContain(`report: ${path.join(other, 'subset.audit', 'dataset_audit_report.md')}`);
    const inData = await cli('audit', '--input', path.join(dir, 'copy.jsonl'));
    expect(inData.out).toContain(`report: ${path.join(dir, 'copy.audit', 'dataset_audit_report.md')}`);
    const chosen = path.join(dir, 'chosen-out');
    const explicit = await cli('audit', '--input', path.join(other, 'subset.jsonl'), '--output-dir', chosen);
    expect(explicit.out).toContain(`report: ${path.join(chosen, 'dataset_audit_report.md')}`);
    expect(existsSync(path.join(chosen, 'scan_results.parquet'))).toBe(true);
    expect(readFileSync(runReport, 'utf8')).toBe(before);
  });

  it('generate-test-data writes the default file with the requested count', async () => {
    const { out } = await cli('generate-test-data', '--count', '25', '--seed', '3');
    const file = path.join(dir, 'test_scan_results.jsonl');
    expect(out).toContain(`25 pings (seed 3) → ${file}`);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(25);
  });
});
