import { readFileSync } from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit/index.js';
import { tempDir } from '../support/tmp.js';
import { ROWS, writeDataset } from './dataset.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('audit-parquet')));
afterAll(() => cleanup());

async function read(file: string) {
  const buf = await asyncBufferFromFile(file);
  const meta = await parquetMetadataAsync(buf);
  const rows = (await parquetReadObjects({ file: buf })) as Record<string, unknown>[];
  return { meta, rows };
}

describe('Parquet outputs', () => {
  it('read back with every row, typed scalars and JSON text for nested fields', async () => {
    const files = writeDataset(dir);
    const r = await runAudit({ ...files, outDir: dir, split: true });
    const { meta, rows } = await read(r.files.parquet!);
    expect(rows).toHaveLength(7);
    const byRepo = new Map(rows.map((x) => [x.repo_full_name, x]));
    const r1 = byRepo.get('a/r1')!;
    expect(r1.scan_status).toBe('success');
    expect(Number(r1.risk_score)).toBe(5);
    expect(Number(r1.files_scanned)).toBe(8);
    expect(r1.has_any_guardrails).toBe(false);
    expect(r1.edge_density).toBe(0.5);
    expect(JSON.parse(r1.finding_rules as string)).toEqual(['R1', 'R2']);
    expect(JSON.parse(r1.deployment_signals as string)).toEqual(ROWS[0]!.deployment_signals);
    const r5 = byRepo.get('a/r5')!;
    expect(r5.failure_reason).toBe('clone_404');
    expect(r5.deployment_signals).toBeNull();
    const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((k) => [k.key, k.value]));
    expect(JSON.parse(kv['stratum.json_columns']!)).toContain('finding_rules');
    expect(kv['stratum.manifest_sha256']).toMatch(/^[0-9a-f]{64}$/);

    const train = await read(path.join(dir, 'scan_results_train.parquet'));
    const test = await read(path.join(dir, 'scan_results_test.parquet'));
    // The split holds the success/partial rows (a/r1–a/r4); failed/empty rows are only in the full file.
    expect(train.rows.length + test.rows.length).toBe(4);
    expect(train.rows.length).toBe(r.split!.train);
    const names = [...train.rows, ...test.rows].map((x) => x.repo_full_name).sort();
    expect(names).toEqual(['a/r1', 'a/r2', 'a/r3', 'a/r4']);
  });
});

describe('Parquet row groups with a split', () => {
  it('hold one side each; the twins are those groups, in the order of their JSONL files', async () => {
    const { writeTestData } = await import('../../src/testdata/index.js');
    const input = path.join(dir, 'groups.jsonl');
    const manifest = path.join(dir, 'groups-manifest.jsonl');
    await writeTestData({ count: 3_000, seed: 11, output: input, manifestOutput: manifest, workers: 1 });
    const outDir = path.join(dir, 'groups');
    const r = await runAudit({ input, manifest, outDir, split: true, threads: false });
    const jsonlRepos = (name: string) =>
      readFileSync(path.join(outDir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { repo_full_name: string }).repo_full_name);
    const trainJsonl = jsonlRepos('scan_results_train.jsonl');
    const testJsonl = jsonlRepos('scan_results_test.jsonl');
    const train = await read(path.join(outDir, 'scan_results_train.parquet'));
    const test = await read(path.join(outDir, 'scan_results_test.parquet'));
    expect(train.rows.map((x) => x.repo_full_name)).toEqual(trainJsonl);
    expect(test.rows.map((x) => x.repo_full_name)).toEqual(testJsonl);
    expect(trainJsonl.length).toBe(r.split!.train);
    expect(testJsonl.length).toBe(r.split!.test);

    const full = await read(r.files.parquet!);
    const names = full.rows.map((x) => x.repo_full_name as string);
    expect(names).toHaveLength(r.rows);
    expect(new Set(names).size).toBe(r.rows);
    const side = new Map<string, string>();
    for (const n of trainJsonl) side.set(n, 'train');
    for (const n of testJsonl) side.set(n, 'test');
    // Every group of the full file is one side's run of rows, and several groups (> 2 MB of lines each) exist.
    const groups = full.meta.row_groups.map((g) => Number(g.num_rows));
    expect(groups.length).toBeGreaterThan(3);
    let at = 0;
    const sides = new Set<string>();
    for (const n of groups) {
      const kinds = new Set(names.slice(at, at + n).map((name) => side.get(name) ?? 'outside'));
      expect(kinds.size, `row group at row ${at}`).toBe(1);
      sides.add([...kinds][0] as string);
      at += n;
    }
    expect([...sides].sort()).toEqual(['outside', 'test', 'train']);
    // Within a side, the full file keeps input order, as the JSONL twins do.
    expect(names.filter((n) => side.get(n) === 'train')).toEqual(trainJsonl);
    expect(names.filter((n) => side.get(n) === 'test')).toEqual(testJsonl);
  });
});
