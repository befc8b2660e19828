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
