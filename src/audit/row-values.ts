import { isUtf8 } from 'node:buffer';
import type { Ping } from '../core/contract/index.js';
import type { ParquetColumn } from './parquet.js';

/**
 * A value for a typed column, or null when the row's value does not have the column's type:
 * an audited row may break the contract (a string where the schema says integer, a fraction in
 * an integer field); its JSONL line keeps the value, the conformance section counts the field.
 */
function typedValue(kind: ParquetColumn['kind'], v: unknown): unknown {
  switch (kind) {
    case 'INT64':
      return Number.isSafeInteger(v) ? BigInt(v as number) : null;
    case 'DOUBLE':
      return typeof v === 'number' ? v : null;
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : null;
    case 'STRING':
      return typeof v === 'string' ? v : null;
    default:
      return JSON.stringify(v);
  }
}

/**
 * One accepted row as the values of the Parquet columns, in column order: null for an absent
 * field (or one whose value does not fit its column), JSON text for nested fields, bigint for
 * INT64, the value itself otherwise.
 */
export function valuesFromPing(columns: readonly ParquetColumn[], ping: Ping): unknown[] {
  const row = ping as unknown as Record<string, unknown>;
  const out = new Array<unknown>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i] as ParquetColumn;
    const v = row[col.name];
    out[i] = v === undefined || v === null ? null : typedValue(col.kind, v);
  }
  return out;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const MINUS = 0x2d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LETTER_T = 0x74;
const LETTER_F = 0x66;
const LETTER_N = 0x6e;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function startsWith(b: Uint8Array, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (b[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** The column names as bytes plus a name → index map (built once per column list). */
export interface ColumnKeys {
  names: Uint8Array[];
  index: ReadonlyMap<string, number>;
}

export function columnKeys(columns: readonly ParquetColumn[]): ColumnKeys {
  return {
    names: columns.map((c) => Buffer.from(c.name, 'utf8')),
    index: new Map(columns.map((c, i) => [c.name, i])),
  };
}

/** The value of the number `readNumber` last read (a module slot, so reading allocates nothing). */
let numberValue = 0;

const DOT = 0x2e;
const ZERO = 0x30;

function isExponentOrSign(c: number | undefined): boolean {
  return c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

/**
 * End of the number token at `i`, or -1 when JSON.stringify would not write the number this
 * way (leading zero, -0, trailing zero, exponent form). With `wantValue` its value goes to
 * `numberValue`. Integers of up to 15 digits and decimals of up to 15 significant digits in
 * fixed notation are recognised from their digits (each is then its own shortest form);
 * anything else is checked by printing the parsed number.
 */
function readNumber(b: Uint8Array, i: number, wantValue: boolean): number {
  let j = i;
  const negative = b[j] === MINUS;
  if (negative) j++;
  const intStart = j;
  let value = 0;
  while (isDigit(b[j])) {
    value = value * 10 + ((b[j] as number) - ZERO);
    j++;
  }
  const intDigits = j - intStart;
  if (intDigits === 0 || (intDigits > 1 && b[intStart] === ZERO)) return -1;
  const c = b[j];
  if (c !== DOT && !isExponentOrSign(c)) {
    if (intDigits > 15) return checkedNumber(b, i, j);
    if (negative && value === 0) return -1; // -0 is written 0
    if (wantValue) numberValue = negative ? -value : value;
    return j;
  }
  if (c !== DOT) return checkedNumber(b, i, skipNumberChars(b, j));
  const fracStart = ++j;
  while (isDigit(b[j])) j++;
  const fracDigits = j - fracStart;
  if (fracDigits === 0) return -1;
  if (isExponentOrSign(b[j]) || b[j] === DOT) return checkedNumber(b, i, skipNumberChars(b, j));
  if (b[j - 1] === ZERO) return -1; // a trailing zero is never written
  let significant = intDigits + fracDigits;
  if (value === 0) {
    let zeros = 0;
    while (b[fracStart + zeros] === ZERO) zeros++;
    // Below 1e-6 JSON.stringify switches to exponent form.
    if (zeros >= 6) return checkedNumber(b, i, j);
    significant = fracDigits - zeros;
  }
  if (significant > 15) return checkedNumber(b, i, j);
  if (wantValue) numberValue = Number(latin1(b, i, j));
  return j;
}

function skipNumberChars(b: Uint8Array, j: number): number {
  let k = j;
  while (isDigit(b[k]) || b[k] === DOT || isExponentOrSign(b[k])) k++;
  return k;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/** The slow check: `end` when printing the parsed number gives back the same text, else -1. */
function checkedNumber(b: Uint8Array, i: number, end: number): number {
  const text = latin1(b, i, end);
  const n = Number(text);
  if (!Number.isFinite(n) || String(n) !== text) return -1;
  numberValue = n;
  return end;
}

/**
 * End of the nested object or array starting at `i` (just past its closing bracket), or -1
 * when its text is not exactly what JSON.stringify writes for its parsed value: whitespace
 * between tokens, a number written another way, or an all-digit key (JSON.parse moves those
 * to the front of the object). The line has no backslash, so a string ends at the next quote.
 */
function nestedEnd(b: Uint8Array, i: number): number {
  let depth = 0;
  let j = i;
  const n = b.length;
  while (j < n) {
    const c = b[j] as number;
    if (c === QUOTE) {
      const close = b.indexOf(QUOTE, j + 1);
      if (close < 0) return -1;
      if (b[close + 1] === COLON) {
        let allDigits = close > j + 1;
        for (let k = j + 1; k < close && allDigits; k++) allDigits = isDigit(b[k]);
        if (allDigits) return -1;
        j = close + 2;
      } else j = close + 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      j++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      j++;
      if (depth === 0) return j;
    } else if (c === COMMA) j++;
    else if (c === LETTER_T && startsWith(b, j, 'true')) j += 4;
    else if (c === LETTER_F && startsWith(b, j, 'false')) j += 5;
    else if (c === LETTER_N && startsWith(b, j, 'null')) j += 4;
    else if (c === MINUS || isDigit(c)) {
      j = readNumber(b, j, false);
      if (j < 0) return -1;
    } else return -1;
  }
  return -1;
}

function keyIndex(keys: ColumnKeys, b: Uint8Array, start: number, end: number, guess: number): number {
  const name = keys.names[guess];
  if (name && name.length === end - start) {
    let same = true;
    for (let k = 0; k < name.length && same; k++) same = name[k] === b[start + k];
    if (same) return guess;
  }
  return keys.index.get(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8')) ?? -1;
}

export const SHAPE_STRING = 0;
export const SHAPE_NESTED = 1;
export const SHAPE_TRUE = 2;
export const SHAPE_FALSE = 3;
export const SHAPE_NULL = 4;
export const SHAPE_NUMBER = 5;

/** One `"key":value` of a line, as `readField` found it (one reused object: copy what you keep). */
export interface LineField {
  /** Column of the key, or -1 for a key no column holds. */
  column: number;
  /** The value's bytes are [start, end) of the line (quotes included for a string). */
  start: number;
  end: number;
  shape: number;
  /** The value of a SHAPE_NUMBER field. */
  number: number;
}

const field: LineField = { column: -1, start: 0, end: 0, shape: 0, number: 0 };

/**
 * Reads the `"key":value` that starts at byte `j` of a line (at its key's opening quote) in
 * the form JSON.stringify writes, with no backslash anywhere in the line (so every string
 * ends at the next quote). Returns undefined when the text is not in that form: the value of
 * a nested field is then not byte-identical to JSON.stringify of its parsed value.
 * `guess` is the column expected next (keys usually come in schema order).
 */
export function readField(b: Uint8Array, j: number, keys: ColumnKeys, guess: number): LineField | undefined {
  if (b[j] !== QUOTE) return undefined;
  const keyEnd = b.indexOf(QUOTE, j + 1);
  if (keyEnd < 0 || b[keyEnd + 1] !== COLON) return undefined;
  field.column = keyIndex(keys, b, j + 1, keyEnd, guess);
  const start = keyEnd + 2;
  field.start = start;
  const c = b[start];
  if (c === QUOTE) {
    field.end = b.indexOf(QUOTE, start + 1) + 1;
    if (field.end === 0) return undefined;
    field.shape = SHAPE_STRING;
  } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    field.end = nestedEnd(b, start);
    if (field.end < 0) return undefined;
    field.shape = SHAPE_NESTED;
  } else if (c === LETTER_T && startsWith(b, start, 'true')) {
    field.end = start + 4;
    field.shape = SHAPE_TRUE;
  } else if (c === LETTER_F && startsWith(b, start, 'false')) {
    field.end = start + 5;
    field.shape = SHAPE_FALSE;
  } else if (c === LETTER_N && startsWith(b, start, 'null')) {
    field.end = start + 4;
    field.shape = SHAPE_NULL;
  } else if (c === MINUS || isDigit(c)) {
    field.end = readNumber(b, start, true);
    if (field.end < 0) return undefined;
    field.number = numberValue;
    field.shape = SHAPE_NUMBER;
  } else return undefined;
  return field;
}

/**
 * Whether a line may be read with `readField` at all: an object with no backslash (no
 * escape) in valid UTF-8 (invalid bytes decode to U+FFFD when parsed, so they cannot be
 * copied as they are).
 */
export function lineIsReadable(b: Uint8Array): boolean {
  return b[0] === OPEN_BRACE && b.indexOf(BACKSLASH) === -1 && isUtf8(b);
}
