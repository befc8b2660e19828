import { readFileSync } from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParquetSink, parquetColumns } from '../../src/audit/parquet.js';
import { columnKeys, readField, SHAPE_NUMBER, valuesFromPing } from '../../src/audit/row-values.js';
import { hyparquetSnappy } from '../../src/audit/snappy.js';
import type { Ping } from '../../src/core/contract/index.js';
import { PIPELINE_VERSION } from '../../src/core/version.js';
import { createGeneratorContext, createRandom, generatePing } from '../../src/testdata/index.js';
import { tempDir } from '../support/tmp.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('pq-encoder')));
afterAll(() => cleanup());

const COLUMNS = parquetColumns();
const JSON_COLUMNS = COLUMNS.filter((c) => c.kind === 'JSON').map((c) => c.name);

function syntheticPings(count: number): Ping[] {
  const ctx = createGeneratorContext(11, count);
  return Array.from({ length: count }, (_, i) => generatePing(ctx, i));
}

/** Lines that must take the parse fallback (or test an edge of the direct reader). */
function awkwardLines(base: Ping): Buffer[] {
  const text = JSON.stringify(base);
  const withField = (field: string, valueText: string) =>
    text.replace(/}$/, `,${JSON.stringify(field)}:${valueText}}`);
  const lines = [
    JSON.stringify(base, null, 1).replace(/\n/g, ''), // whitespace between tokens
    JSON.stringify({ ...base, failure_detail: 'a "quoted" \\ back\tslash' }), // escapes
    JSON.stringify({ ...base, failure_detail: 'café ☕ 😀 ünïcödé' }), // multi-byte UTF-8
    withField('edge_density', '5.0E-1'), // number not in shortest form (and a repeated key)
    withField('edge_density', '-0'),
    withField('edge_density', '0.0000001'),
    withField('edge_density', '0.000001'),
    withField('edge_density', '123456789.123456789'),
    withField('risk_score', '77'), // repeated top-level key: the last one counts
    withField('scan_duration_ms', '12345678901234567'), // beyond 2^53
    withField('graph_topology_metrics', '{"2":1,"a":2,"1":3}'), // keys JSON.parse reorders
    withField('graph_topology_metrics', '{"a":1.50}'),
    withField('graph_topology_metrics', '{"a":[1,2.5,-3,0.25,1e-7,true,false,null,"x"]}'),
    withField('not_a_column', '{"x":1}'),
    withField('failure_detail', 'null'),
    '{}',
  ].map((l) => Buffer.from(l, 'utf8'));
  // Invalid UTF-8 in a string: read as U+FFFD, as the first pass decodes it.
  const bad = Buffer.from(JSON.stringify({ ...base, failure_detail: 'x-é-x' }), 'utf8');
  const at = bad.indexOf(Buffer.from('é', 'utf8'));
  bad[at] = 0xff;
  lines.push(bad);
  return lines;
}

/** The same rows through hyparquet-writer's own encoder (PLAIN, no statistics, groups of 1,000). */
function writeWithLibrary(file: string, rows: unknown[][], meta: Record<string, string>): void {
  const schema = schemaFromColumnData({
    columnData: COLUMNS.map((c) => ({ name: c.name, data: [], type: c.kind === 'JSON' ? 'STRING' : c.kind })),
  });
  const writer = new ParquetWriter({
    writer: fileWriter(file),
    schema,
    statistics: false,
    createdBy: `stratum-pipeline ${PIPELINE_VERSION}`,
    kvMetadata: [
      { key: 'stratum.schema_version', value: '0.3.2' },
      { key: 'stratum.json_columns', value: JSON.stringify(JSON_COLUMNS) },
      ...Object.entries(meta).map(([key, value]) => ({ key, value })),
    ],
  });
  for (let i = 0; i < rows.length; i += 1000) {
    const group = rows.slice(i, i + 1000);
    writer.write({
      columnData: COLUMNS.map((c, k) => ({ name: c.name, data: group.map((r) => r[k]), encoding: 'PLAIN' })),
      rowGroupSize: group.length,
    });
  }
  writer.finish();
}

describe('Parquet encoder', () => {
  it('writes the bytes hyparquet-writer writes for the same rows, read directly or parsed', () => {
    const pings = syntheticPings(2_300);
    const lines = pings.map((p) => Buffer.from(JSON.stringify(p), 'utf8'));
    // Awkward lines spread over the groups, after a success ping and after a failed one.
    const full = pings.find((p) => p.scan_status === 'success') as Ping;
    const failed = pings.find((p) => p.scan_status === 'failed') as Ping;
    lines.splice(500, 0, ...awkwardLines(full));
    lines.splice(1500, 0, ...awkwardLines(failed));
    const meta = { 'stratum.source': 'x.jsonl' };
    const mine = path.join(dir, 'mine.parquet');
    const sink = new ParquetSink(mine, meta, hyparquetSnappy);
    for (const line of lines) sink.addLine(line);
    sink.finish();
    const lib = path.join(dir, 'lib.parquet');
    writeWithLibrary(
      lib,
      lines.map((l) => valuesFromPing(COLUMNS, JSON.parse(l.toString('utf8')) as Ping)),
      meta,
    );
    expect(sink.rows).toBe(lines.length);
    // The synthetic lines are read from their bytes; whitespace, escapes and odd numbers are parsed.
    expect(sink.directRows).toBeGreaterThanOrEqual(pings.length);
    expect(sink.directRows).toBeLessThan(lines.length - 10);
    const a = readFileSync(mine);
    const b = readFileSync(lib);
    expect(a.length).toBe(b.length);
    expect(a.equals(b)).toBe(true);
  });

  it('reads back every field of every row: typed scalars, JSON text for nested fields, nulls', async () => {
    const pings = syntheticPings(600);
    const file = path.join(dir, 'back.parquet');
    const sink = new ParquetSink(file);
    for (const p of pings) sink.addLine(Buffer.from(JSON.stringify(p)));
    sink.finish();
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file) })) as Record<
      string,
      unknown
    >[];
    expect(rows).toHaveLength(pings.length);
    expect(new Set(pings.map((p) => p.scan_status))).toEqual(
      new Set(['success', 'partial', 'failed', 'empty']),
    );
    rows.forEach((row, i) => {
      const p = pings[i] as unknown as Record<string, unknown>;
      for (const c of COLUMNS) {
        const v = p[c.name];
        const got = row[c.name];
        if (v === undefined || v === null) expect(got, c.name).toBeNull();
        else if (c.kind === 'JSON') expect(JSON.parse(got as string), c.name).toEqual(v);
        else if (c.kind === 'INT64') expect(got, c.name).toBe(BigInt(v as number));
        else expect(got, c.name).toBe(v);
      }
    });
  });

  it('takes a number as written only when JSON.stringify would write it the same way', () => {
    const keys = columnKeys([{ name: 'x', kind: 'DOUBLE' }]);
    const rng = createRandom('numbers');
    const texts = ['0', '-0', '1', '-1', '10', '01', '1.0', '1.5', '-0.5', '0.000001', '1e-7', '1e21', '1E5'];
    for (let i = 0; i < 3000; i++) {
      const n = (rng.next() - 0.5) * 10 ** rng.int(-9, 22);
      const k = rng.int(1, 17);
      texts.push(String(n), n.toFixed(Math.min(k, 20)), n.toPrecision(k), n.toExponential(k - 1));
      texts.push(String(Math.round(n)), `${Math.round(n)}.0`);
    }
    let accepted = 0;
    for (const text of texts) {
      const line = Buffer.from(`{"x":${text}}`);
      const f = readField(line, 1, keys, 0);
      const canonical = Number.isFinite(Number(text)) && String(Number(text)) === text;
      expect(f !== undefined && f.shape === SHAPE_NUMBER, text).toBe(canonical);
      if (f) {
        accepted++;
        expect(f.number, text).toBe(Number(text));
        expect(f.end).toBe(line.length - 1);
      }
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
