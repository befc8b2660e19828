import { readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type ColumnSource, fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { Ping } from '../core/contract/index.js';
import { projectRoot } from '../core/project-root.js';
import { PIPELINE_VERSION } from '../core/version.js';

type ColumnKind = 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'JSON';

export interface ParquetColumn {
  name: string;
  kind: ColumnKind;
}

// Small row groups keep the column buffers (and the writer's page buffers) small: memory stays
// bounded by one group whatever the number of rows.
const ROWS_PER_GROUP = 1_000;

function kindOf(prop: Record<string, unknown>): ColumnKind {
  const type = prop.type;
  if (type === 'integer' || typeof prop.const === 'number') return 'INT64';
  if (type === 'number') return 'DOUBLE';
  if (type === 'boolean') return 'BOOLEAN';
  if (type === 'string' || typeof prop.const === 'string' || Array.isArray(prop.enum)) return 'STRING';
  if (Array.isArray(type) && type.every((t) => t === 'string' || t === 'null')) return 'STRING';
  if (Array.isArray(prop.anyOf)) {
    const parts = prop.anyOf as Array<Record<string, unknown>>;
    if (parts.every((p) => p.type === 'null' || p.type === 'string' || Array.isArray(p.enum)))
      return 'STRING';
  }
  return 'JSON';
}

let columnsCache: ParquetColumn[] | undefined;

/**
 * One column per field of the ping schema, in schema order: scalars typed (INT64, DOUBLE,
 * BOOLEAN, STRING), objects and lists as JSON text (STRING columns listed in the file's
 * key-value metadata under `stratum.json_columns`), so pandas and HF datasets load the file
 * as is. Fields a row lacks (the lighter failed/empty shape) are null.
 */
export function parquetColumns(): ParquetColumn[] {
  if (columnsCache) return columnsCache;
  const schema = JSON.parse(readFileSync(path.join(projectRoot(), 'schema', 'ping.schema.json'), 'utf8')) as {
    properties: Record<string, Record<string, unknown>>;
  };
  columnsCache = Object.entries(schema.properties).map(([name, prop]) => ({ name, kind: kindOf(prop) }));
  return columnsCache;
}

/** Streams pings into a Parquet file in row groups of 1,000 (memory bounded by one group). */
export class ParquetSink {
  private readonly columns = parquetColumns();
  private buffers: unknown[][];
  private pending = 0;
  private readonly writer: ParquetWriter;
  private readonly tmp: string;
  rows = 0;

  constructor(
    readonly file: string,
    meta: Record<string, string> = {},
  ) {
    this.tmp = `${file}.${process.pid}.tmp`;
    this.buffers = this.columns.map(() => []);
    const schema = schemaFromColumnData({
      columnData: this.columns.map((c) => ({
        name: c.name,
        data: [],
        type: c.kind === 'JSON' ? 'STRING' : c.kind,
      })),
    });
    const jsonColumns = this.columns.filter((c) => c.kind === 'JSON').map((c) => c.name);
    this.writer = new ParquetWriter({
      writer: fileWriter(this.tmp),
      schema,
      createdBy: `stratum-pipeline ${PIPELINE_VERSION}`,
      // Min/max statistics cost ~15 % of the audit's time and help no reader of a dataset this size.
      statistics: false,
      kvMetadata: [
        { key: 'stratum.schema_version', value: '0.3.2' },
        { key: 'stratum.json_columns', value: JSON.stringify(jsonColumns) },
        ...Object.entries(meta).map(([key, value]) => ({ key, value })),
      ],
    });
  }

  add(ping: Ping): void {
    const row = ping as unknown as Record<string, unknown>;
    for (let i = 0; i < this.columns.length; i++) {
      const col = this.columns[i] as ParquetColumn;
      const v = row[col.name];
      let out: unknown;
      if (v === undefined || v === null) out = null;
      else if (col.kind === 'JSON') out = JSON.stringify(v);
      else if (col.kind === 'INT64') out = BigInt(v as number);
      else out = v;
      (this.buffers[i] as unknown[]).push(out);
    }
    this.pending++;
    this.rows++;
    if (this.pending >= ROWS_PER_GROUP) this.flush();
  }

  private flush(): void {
    if (this.pending === 0) return;
    const columnData: ColumnSource[] = this.columns.map((c, i) => ({
      name: c.name,
      data: this.buffers[i] as ColumnSource['data'],
    }));
    void this.writer.write({ columnData, rowGroupSize: this.pending });
    this.buffers = this.columns.map(() => []);
    this.pending = 0;
  }

  /** Writes the footer and moves the file into place. */
  finish(): void {
    this.flush();
    this.writer.finish();
    renameSync(this.tmp, this.file);
  }

  abort(): void {
    rmSync(this.tmp, { force: true });
  }
}
