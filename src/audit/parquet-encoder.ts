import type { FileMetaData, KeyValue, SchemaElement } from 'hyparquet';
import { CompressionCodecs, Encodings, ParquetTypes } from 'hyparquet/src/constants.js';
import { ByteWriter, fileWriter, type Writer } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { serializeTCompactProtocol } from 'hyparquet-writer/src/thrift.js';
import type { ParquetColumn } from './parquet.js';
import {
  type ColumnKeys,
  lineIsReadable,
  readField,
  SHAPE_FALSE,
  SHAPE_NULL,
  SHAPE_NUMBER,
  SHAPE_STRING,
  SHAPE_TRUE,
} from './row-values.js';

/** Bytes of one column's values in a row group before the group is written early. */
const COLUMN_BYTES_LIMIT = 8 * 1024 * 1024;
const INITIAL_COLUMN_BYTES = 16 * 1024;
const INITIAL_ROWS = 1024;
const OUT_BYTES = 1024 * 1024;

interface ColumnState {
  readonly name: string;
  readonly kind: ParquetColumn['kind'];
  readonly type: 'BYTE_ARRAY' | 'INT64' | 'DOUBLE' | 'BOOLEAN';
  /** PLAIN encoding of the group's non-null values (BOOLEAN: one byte per value, packed on write). */
  data: Buffer;
  used: number;
  nonNull: number;
  /** Definition level per row of the group: 1 present, 0 null. */
  present: Uint8Array;
  /** Row stamp of the last row that set this column (repeated keys, columns a row lacks). */
  stamp: number;
  /** `used`/`nonNull` before the current row touched the column (to roll a row back). */
  rowUsed: number;
  rowNonNull: number;
}

const TWO_32 = 2 ** 32;

/** A compressor for one page (Snappy); its result may be reused by its next call. */
export type Compress = (page: Uint8Array) => Uint8Array;

/**
 * One encoded row group: its column chunks back to back in `bytes`, their offsets relative to
 * the start of `bytes` (a `ParquetAssembler` moves them to where the group lands in the file).
 * Plain data, so it crosses a worker boundary as is (`bytes` transferred).
 */
export interface EncodedRowGroup {
  bytes: Uint8Array;
  rows: number;
  /**
   * Per column, in column order, three numbers: the chunk's offset in `bytes`, its
   * uncompressed size and its compressed size (numbers, not footer objects: a file keeps one
   * of these per group until its footer is written).
   */
  chunks: Float64Array;
}

/**
 * The rows of one Parquet row group of flat optional columns, encoded the way hyparquet-writer
 * writes them with PLAIN encoding and one DATA_PAGE_V2 per column chunk, but with the values
 * encoded as rows arrive straight into per-column buffers (no value object per cell, no
 * per-value TextEncoder): a row read from the bytes of a JSONL line is copied from them. The
 * page headers are hyparquet-writer's own.
 */
export class RowGroupEncoder {
  private readonly cols: ColumnState[];
  /** Where groups are encoded (reused). */
  private out = new ByteWriter(OUT_BYTES);
  private readonly levels = new ByteWriter();
  private rowsInGroup = 0;
  private rowStamp = 0;
  /** Rows appended straight from their line's bytes (the rest were parsed). */
  directRows = 0;

  constructor(
    columns: readonly ParquetColumn[],
    private readonly rowsPerGroup = Number.POSITIVE_INFINITY,
  ) {
    this.cols = columns.map((c) => ({
      name: c.name,
      kind: c.kind,
      type: c.kind === 'JSON' || c.kind === 'STRING' ? 'BYTE_ARRAY' : c.kind,
      data: Buffer.allocUnsafe(INITIAL_COLUMN_BYTES),
      used: 0,
      nonNull: 0,
      present: new Uint8Array(Math.min(rowsPerGroup, INITIAL_ROWS)),
      stamp: -1,
      rowUsed: 0,
      rowNonNull: 0,
    }));
  }

  /** Rows appended since the last `takeGroup`. */
  get pendingRows(): number {
    return this.rowsInGroup;
  }

  /** True when the group should be taken: its row limit or a column's byte limit is reached. */
  get full(): boolean {
    return this.rowsInGroup >= this.rowsPerGroup || this.cols.some((c) => c.used >= COLUMN_BYTES_LIMIT);
  }

  private ensure(col: ColumnState, bytes: number): void {
    if (col.used + bytes <= col.data.length) return;
    const next = Buffer.allocUnsafe(Math.max(col.data.length * 2, col.used + bytes));
    col.data.copy(next, 0, 0, col.used);
    col.data = next;
  }

  /** Marks column `i` as set by the current row; false when the row already set it (a repeated key). */
  private touch(col: ColumnState): boolean {
    if (col.stamp === this.rowStamp) return false;
    col.stamp = this.rowStamp;
    col.rowUsed = col.used;
    col.rowNonNull = col.nonNull;
    return true;
  }

  /** Grows every column's definition levels when the group outgrows them. */
  private ensureRowCapacity(): void {
    const first = this.cols[0];
    if (!first || this.rowsInGroup < first.present.length) return;
    for (const col of this.cols) {
      const next = new Uint8Array(col.present.length * 2);
      next.set(col.present);
      col.present = next;
    }
  }

  private putNull(col: ColumnState): void {
    col.present[this.rowsInGroup] = 0;
  }

  private putBytes(col: ColumnState, src: Buffer, start: number, end: number): void {
    const len = end - start;
    this.ensure(col, 4 + len);
    const data = col.data;
    let at = col.used;
    data[at] = len & 0xff;
    data[at + 1] = (len >>> 8) & 0xff;
    data[at + 2] = (len >>> 16) & 0xff;
    data[at + 3] = len >>> 24;
    at += 4;
    copyBytes(src, start, end, data, at);
    col.used += 4 + len;
    col.nonNull++;
    col.present[this.rowsInGroup] = 1;
  }

  private putString(col: ColumnState, text: string): void {
    const len = Buffer.byteLength(text, 'utf8');
    this.ensure(col, 4 + len);
    col.data.writeUInt32LE(len, col.used);
    col.data.write(text, col.used + 4, len, 'utf8');
    col.used += 4 + len;
    col.nonNull++;
    col.present[this.rowsInGroup] = 1;
  }

  private putInt64(col: ColumnState, value: number): void {
    this.ensure(col, 8);
    // Two's complement halves of a safe integer: no bigint needed.
    col.data.writeUInt32LE(value >>> 0, col.used);
    col.data.writeInt32LE(Math.floor(value / TWO_32), col.used + 4);
    col.used += 8;
    col.nonNull++;
    col.present[this.rowsInGroup] = 1;
  }

  private putBigInt64(col: ColumnState, value: bigint): void {
    this.ensure(col, 8);
    col.data.writeBigInt64LE(value, col.used);
    col.used += 8;
    col.nonNull++;
    col.present[this.rowsInGroup] = 1;
  }

  private putDouble(col: ColumnState, value: number): void {
    this.ensure(col, 8);
    col.data.writeDoubleLE(value, col.used);
    col.used += 8;
    col.nonNull++;
    col.present[this.rowsInGroup] = 1;
  }

  private putBoolean(col: ColumnState, value: boolean): void {
    this.ensure(col, 1);
    col.data[col.used++] = value ? 1 : 0;
    col.nonNull++;
    col.present[this.rowsInGroup] = 1;
  }

  /** Undoes what the current row wrote. */
  private rollback(): void {
    for (const col of this.cols)
      if (col.stamp === this.rowStamp) {
        col.used = col.rowUsed;
        col.nonNull = col.rowNonNull;
        col.stamp = -1;
      }
  }

  private endRow(): void {
    for (const col of this.cols) if (col.stamp !== this.rowStamp) col.present[this.rowsInGroup] = 0;
    this.rowStamp++;
    this.rowsInGroup++;
  }

  /**
   * Appends the row of one JSONL line read straight from its bytes. Returns false (and writes
   * nothing) when the line is not in the form JSON.stringify writes or a value does not fit
   * its column: the caller then parses the line and uses `appendValues`.
   */
  appendLine(line: Buffer, keys: ColumnKeys): boolean {
    this.ensureRowCapacity();
    const ok = this.readLine(line, keys);
    if (ok) {
      this.directRows++;
      this.endRow();
    } else this.rollback();
    return ok;
  }

  private readLine(b: Buffer, keys: ColumnKeys): boolean {
    const n = b.length;
    if (!lineIsReadable(b)) return false;
    let j = 1;
    if (b[j] === 0x7d) return j + 1 === n;
    let guess = 0;
    for (;;) {
      const f = readField(b, j, keys, guess);
      if (!f) return false;
      if (f.column >= 0) {
        guess = f.column + 1;
        const col = this.cols[f.column] as ColumnState;
        if (!this.touch(col)) return false; // a repeated key: JSON.parse keeps the last one
        if (f.shape === SHAPE_NULL) this.putNull(col);
        else if (col.kind === 'JSON') this.putBytes(col, b, f.start, f.end);
        else if (col.kind === 'STRING') {
          if (f.shape !== SHAPE_STRING) return false;
          this.putBytes(col, b, f.start + 1, f.end - 1);
        } else if (col.kind === 'BOOLEAN') {
          if (f.shape !== SHAPE_TRUE && f.shape !== SHAPE_FALSE) return false;
          this.putBoolean(col, f.shape === SHAPE_TRUE);
        } else if (f.shape !== SHAPE_NUMBER) return false;
        else if (col.kind === 'INT64') {
          if (!Number.isSafeInteger(f.number)) return false;
          this.putInt64(col, f.number);
        } else this.putDouble(col, f.number);
      }
      const sep = b[f.end];
      if (sep === 0x2c) j = f.end + 1;
      else return sep === 0x7d && f.end + 1 === n;
    }
  }

  /** Appends one row given as column values (see `valuesFromPing`). */
  appendValues(values: readonly unknown[]): void {
    this.ensureRowCapacity();
    for (let i = 0; i < this.cols.length; i++) {
      const col = this.cols[i] as ColumnState;
      const v = values[i];
      this.touch(col);
      if (v === null || v === undefined) this.putNull(col);
      else if (col.type === 'BYTE_ARRAY') {
        if (typeof v !== 'string')
          throw new Error(`parquet column ${col.name} expects text, got ${typeof v}`);
        this.putString(col, v);
      } else if (col.type === 'INT64') {
        if (typeof v !== 'bigint')
          throw new Error(`parquet column ${col.name} expects a bigint, got ${typeof v}`);
        this.putBigInt64(col, v);
      } else if (col.type === 'DOUBLE') {
        if (typeof v !== 'number')
          throw new Error(`parquet column ${col.name} expects a number, got ${typeof v}`);
        this.putDouble(col, v);
      } else {
        if (typeof v !== 'boolean')
          throw new Error(`parquet column ${col.name} expects a boolean, got ${typeof v}`);
        this.putBoolean(col, v);
      }
    }
    this.endRow();
  }

  /** Encodes the rows appended so far as one row group (undefined when there are none) and starts the next. */
  takeGroup(compress: Compress): EncodedRowGroup | undefined {
    const rows = this.rowsInGroup;
    if (rows === 0) return undefined;
    const out = this.out;
    out.index = 0;
    out.offset = 0;
    const chunks = new Float64Array(this.cols.length * 3);
    for (let c = 0; c < this.cols.length; c++) {
      const col = this.cols[c] as ColumnState;
      const levels = this.levels;
      levels.index = 0;
      levels.offset = 0;
      const levelBytes = writeRleBitPackedHybrid(levels, col.present.subarray(0, rows), 1);
      const page = col.type === 'BOOLEAN' ? packBits(col.data, col.used) : col.data.subarray(0, col.used);
      const compressed = compress(page);
      const chunkStart = out.offset;
      writePageHeader(out, {
        type: 'DATA_PAGE_V2',
        uncompressed_page_size: levelBytes + page.length,
        compressed_page_size: levelBytes + compressed.length,
        data_page_header_v2: {
          num_values: rows,
          num_nulls: rows - col.nonNull,
          num_rows: rows,
          encoding: 'PLAIN',
          definition_levels_byte_length: levelBytes,
          repetition_levels_byte_length: 0,
          is_compressed: true,
        },
      });
      const headerBytes = out.offset - chunkStart;
      out.appendBytes(levels.getBytes());
      out.appendBytes(compressed);
      chunks[c * 3] = chunkStart;
      chunks[c * 3 + 1] = headerBytes + levelBytes + page.length;
      chunks[c * 3 + 2] = out.offset - chunkStart;
      col.used = 0;
      col.nonNull = 0;
    }
    this.rowsInGroup = 0;
    // Buffers that grew for one unusual group go back to their usual size.
    for (const col of this.cols) {
      if (col.data.length > COLUMN_BYTES_LIMIT) col.data = Buffer.allocUnsafe(INITIAL_COLUMN_BYTES);
      if (col.present.length > INITIAL_ROWS * 8) col.present = new Uint8Array(INITIAL_ROWS);
    }
    // An exact copy leaves; the writer's buffer stays for the next group.
    const bytes = new Uint8Array(out.getBuffer());
    if (out.buffer.byteLength > COLUMN_BYTES_LIMIT) this.out = new ByteWriter(OUT_BYTES);
    return { bytes, rows, chunks };
  }
}

/**
 * A Parquet file assembled from encoded row groups, in the order they are added: the groups'
 * bytes are appended and their offsets moved to where they land; the footer is
 * hyparquet-writer's own.
 */
export class ParquetAssembler {
  private readonly writer: Writer;
  /** Per group: where it starts in the file, its rows and its chunks' numbers (see EncodedRowGroup). */
  private readonly groups: Array<{ base: number; rows: number; chunks: Float64Array }> = [];
  private numRows = 0;

  constructor(
    file: string,
    private readonly schema: SchemaElement[],
    private readonly createdBy: string,
  ) {
    for (const el of schema.slice(1))
      if (el.repetition_type !== 'OPTIONAL') throw new Error(`column ${el.name} must be OPTIONAL`);
    this.writer = fileWriter(file);
    this.writer.appendUint32(0x31524150); // PAR1
  }

  get rows(): number {
    return this.numRows;
  }

  addGroup(group: EncodedRowGroup): void {
    this.groups.push({ base: this.writer.offset, rows: group.rows, chunks: group.chunks });
    this.writer.appendBytes(group.bytes);
    this.numRows += group.rows;
    void this.writer.flush?.();
  }

  /**
   * Writes the footer (with the file's key-value metadata), then flushes the file. The row
   * groups' part of the footer is serialised group by group from the numbers kept per group,
   * so the footer of a file with thousands of groups never exists as one object tree; the
   * rest of it is hyparquet-writer's own serialisation (see `footerAround`).
   */
  finish(kvMetadata: KeyValue[]): void {
    const { head, tail } = footerAround(this.schema, this.numRows, kvMetadata, this.createdBy);
    const start = this.writer.offset;
    this.writer.appendBytes(head);
    // row_groups: list<RowGroup>, after the field header that `head` ends with.
    const count = this.groups.length;
    if (count > 14) {
      this.writer.appendUint8(0xf0 | THRIFT_STRUCT);
      this.writer.appendVarInt(count);
    } else this.writer.appendUint8((count << 4) | THRIFT_STRUCT);
    const columns = this.schema.slice(1);
    for (const { base, rows, chunks } of this.groups) {
      let uncompressed = 0;
      let compressed = 0;
      const cols = columns.map((el, c) => {
        const offset = BigInt(base + (chunks[c * 3] as number));
        uncompressed += chunks[c * 3 + 1] as number;
        compressed += chunks[c * 3 + 2] as number;
        // ColumnChunk { 2: file_offset, 3: ColumnMetaData { 1: type, 2: encodings, 3: path,
        // 4: codec, 5: num_values, 6: uncompressed, 7: compressed, 9: data_page_offset } }
        return {
          field_2: offset,
          field_3: {
            field_1: ParquetTypes.indexOf(el.type as (typeof ParquetTypes)[number]),
            field_2: [PLAIN],
            field_3: [el.name],
            field_4: SNAPPY,
            field_5: BigInt(rows),
            field_6: BigInt(chunks[c * 3 + 1] as number),
            field_7: BigInt(chunks[c * 3 + 2] as number),
            field_9: offset,
          },
        };
      });
      // RowGroup { 1: columns, 2: total_byte_size, 3: num_rows, 6: total_compressed_size }
      serializeTCompactProtocol(this.writer, {
        field_1: cols,
        field_2: BigInt(uncompressed),
        field_3: BigInt(rows),
        field_6: BigInt(compressed),
      });
    }
    this.writer.appendBytes(tail);
    this.writer.appendUint32(this.writer.offset - start);
    this.writer.appendUint32(0x31524150); // PAR1
    void this.writer.finish();
  }
}

/**
 * hyparquet-writer's footer for these file-level fields and no row groups, cut where the
 * row-group list goes: `head` ends with that list's field header, `tail` is everything after
 * the (empty) list. Where that is comes from serialising the fields that follow the list on
 * their own (the same bytes but for the first field header's delta, one byte either way), and
 * is checked.
 */
function footerAround(
  schema: SchemaElement[],
  numRows: number,
  kvMetadata: KeyValue[],
  createdBy: string,
): { head: Uint8Array; tail: Uint8Array } {
  const whole = new ByteWriter();
  const metadata: FileMetaData = {
    version: 2,
    created_by: createdBy,
    schema,
    num_rows: BigInt(numRows),
    row_groups: [],
    metadata_length: 0,
    key_value_metadata: kvMetadata,
  };
  // Not a field of the footer (hyparquet-writer removes it the same way).
  delete (metadata as Partial<FileMetaData>).metadata_length;
  writeMetadata(whole, metadata);
  const bytes = whole.getBytes().subarray(0, whole.offset - 4); // without the length
  const after = new ByteWriter();
  serializeTCompactProtocol(after, {
    field_4: [],
    field_5: kvMetadata.map((kv) => ({ field_1: kv.key, field_2: kv.value })),
    field_6: createdBy,
    field_7: schema.filter((el) => el.type).map(() => ({ field_1: {} })),
  });
  const at = bytes.length - after.offset;
  // Field 4 (delta 1, a list) and an empty list's header.
  if (at < 0 || bytes[at] !== 0x19 || bytes[at + 1] !== 0x00)
    throw new Error('Parquet footer: the row-group list is not where it was expected');
  return { head: bytes.slice(0, at + 1), tail: bytes.slice(at + 2) };
}

const THRIFT_STRUCT = 12;
const PLAIN = Encodings.indexOf('PLAIN');
const SNAPPY = CompressionCodecs.indexOf('SNAPPY');

/** A whole Parquet file written row by row: groups of `rowsPerGroup` rows (or fewer when a column fills up). */
export class PlainParquetEncoder {
  private readonly encoder: RowGroupEncoder;
  private readonly assembler: ParquetAssembler;

  constructor(
    file: string,
    columns: readonly ParquetColumn[],
    schema: SchemaElement[],
    rowsPerGroup: number,
    private readonly kvMetadata: KeyValue[],
    createdBy: string,
    private readonly compress: Compress,
  ) {
    this.assembler = new ParquetAssembler(file, schema, createdBy);
    this.encoder = new RowGroupEncoder(columns, rowsPerGroup);
  }

  get rows(): number {
    return this.assembler.rows + this.encoder.pendingRows;
  }

  get directRows(): number {
    return this.encoder.directRows;
  }

  appendLine(line: Buffer, keys: ColumnKeys): boolean {
    const ok = this.encoder.appendLine(line, keys);
    if (ok) this.flushIfFull();
    return ok;
  }

  appendValues(values: readonly unknown[]): void {
    this.encoder.appendValues(values);
    this.flushIfFull();
  }

  private flushIfFull(): void {
    if (!this.encoder.full) return;
    const group = this.encoder.takeGroup(this.compress);
    if (group) this.assembler.addGroup(group);
  }

  /** Writes the last row group and the footer, then flushes the file. */
  finish(): void {
    const group = this.encoder.takeGroup(this.compress);
    if (group) this.assembler.addGroup(group);
    this.assembler.finish(this.kvMetadata);
  }
}

/** Copies src[start, end) to dst at `at`: short runs (most values) byte by byte, which beats Buffer#copy's overhead. */
function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  if (end - start <= 64) for (let k = start; k < end; k++) dst[at++] = src[k] as number;
  else dst.set(src.subarray(start, end), at);
}

/** PLAIN BOOLEAN: bits packed least significant first. */
function packBits(bytes: Buffer, count: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(count / 8));
  for (let i = 0; i < count; i++) if (bytes[i]) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}
