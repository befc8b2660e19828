/**
 * The `[[package]]` names and versions of a lockfile (uv.lock, poetry.lock, pdm.lock) read
 * without a general TOML parser. Lockfiles are the largest files most agent repositories have
 * (0.5–1 MB each, several per repository) and a full TOML parse of them was a third of a typical
 * scan. Their generators write a small, regular part of TOML; this reader accepts exactly that
 * part and answers `null` for anything else, so the caller parses those with the full TOML
 * parser. Whatever it accepts is valid TOML (every key and table defined once, every value
 * well formed), with the same packages as the full parse: a malformed lockfile still goes to
 * the full parser and is still a parse error. test/scanner/lockfile-packages.test.ts checks it
 * against the full parser on generated and mutated lockfiles.
 */

export interface LockedPackage {
  name: string;
  version: string;
}

/** Keys or tables defined so far, to refuse what TOML forbids (a name defined twice). */
interface TableNode {
  kind: 'table';
  /** Defined by its own `[header]` (an implicit table may still get one, once). */
  explicit: boolean;
  children: Map<string, DefinedNode>;
  /** String values of this table's own keys (what a package's name and version are read from). */
  strings: Map<string, string>;
}
interface ArrayOfTablesNode {
  kind: 'array_of_tables';
  tables: TableNode[];
}
type DefinedNode = TableNode | ArrayOfTablesNode | { kind: 'value' };

/** Deeper nesting of arrays and inline tables is left to the full parser. */
const MAX_VALUE_DEPTH = 32;
/** Longer integers may not be exact JavaScript numbers: left to the full parser. */
const MAX_INTEGER_DIGITS = 15;

const HEADER = /^\[([A-Za-z0-9_.-]+)\] *$/;
/**
 * A character TOML forbids outside strings and comments or that this reader does not handle
 * (tabs, carriage returns, a byte order mark): a text holding one anywhere is left to the full
 * parser. The common inline tables exclude them in their own match; the rest of the text is
 * checked stretch by stretch, so each character is looked at once.
 */
const UNHANDLED_CHARACTER = /[\u0000-\u0009\u000b-\u001f\u007f\ufeff]/;

/**
 * The inline tables that make up most of a lockfile's bytes, in the form uv and Poetry write
 * them: a wheel or sdist (`{ url = "…", hash = "…", size = N, upload-time = "…" }`, Poetry's
 * `{file = "…", hash = "…"}`) or a dependency (`{ name = "…", marker = "…" }`). Matched in one
 * step instead of key by key; their keys are distinct and their strings hold no escape, so what
 * matches is what `inlineTable` accepts, and anything else goes to it. Their strings hold no
 * UNHANDLED_CHARACTER either.
 */
const COMMON_INLINE_TABLE =
  /\{ ?(?:(?:url|file) = "[^"\\\u0000-\u001f\u007f\ufeff]*", hash = "[^"\\\u0000-\u001f\u007f\ufeff]*"(?:, size = (?:0|[1-9]\d{0,14}))?(?:, upload-time = "[^"\\\u0000-\u001f\u007f\ufeff]*")?|name = "[^"\\\u0000-\u001f\u007f\ufeff]*"(?:, marker = "[^"\\\u0000-\u001f\u007f\ufeff]*")?) ?\}/y;

class Unhandled extends Error {}

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function newTable(explicit: boolean): TableNode {
  return { kind: 'table', explicit, children: new Map(), strings: new Map() };
}

/**
 * The packages of a lockfile in file order, each `[[package]]` whose `name` and `version` are
 * strings; `null` when the text is not in the part of TOML this reader handles.
 */
export function readLockfilePackages(text: string): LockedPackage[] | null {
  const reader = new LockfileReader(text);
  try {
    return reader.read();
  } catch (err) {
    // The reader meets unchecked text before it is checked: whatever it made of a character it
    // does not handle, such a text is the full parser's.
    if (err instanceof Unhandled || UNHANDLED_CHARACTER.test(text)) return null;
    throw err;
  }
}

class LockfileReader {
  private pos = 0;
  /** Text before this offset holds no UNHANDLED_CHARACTER. */
  private checkedUpTo = 0;
  private readonly root = newTable(true);
  private current = this.root;
  private readonly packages: TableNode[] = [];
  private nextBackslash: number;

  constructor(private readonly text: string) {
    this.nextBackslash = text.indexOf('\\');
  }

  read(): LockedPackage[] {
    const text = this.text;
    while (this.pos < text.length) {
      this.skipSpaces();
      const lineEnd = this.lineEnd();
      const c = text[this.pos];
      if (c === '\n' || c === '#' || c === undefined) {
        this.pos = lineEnd + 1;
      } else if (c === '[') {
        const header = text.slice(this.pos, lineEnd);
        if (/^\[\[package\]\] *$/.test(header)) this.openPackage();
        else {
          const m = HEADER.exec(header);
          if (m === null) throw new Unhandled();
          this.openTable((m[1] as string).split('.'));
        }
        this.pos = lineEnd + 1;
      } else {
        this.keyValueLine();
      }
    }
    this.checkCharactersUpTo(text.length);
    const out: LockedPackage[] = [];
    for (const p of this.packages) {
      const name = p.strings.get('name');
      const version = p.strings.get('version');
      if (name !== undefined && version !== undefined) out.push({ name, version });
    }
    return out;
  }

  /** Refuses an UNHANDLED_CHARACTER between the last checked offset and `end`. */
  private checkCharactersUpTo(end: number): void {
    if (end <= this.checkedUpTo) return;
    if (UNHANDLED_CHARACTER.test(this.text.slice(this.checkedUpTo, end))) throw new Unhandled();
    this.checkedUpTo = end;
  }

  private lineEnd(): number {
    const i = this.text.indexOf('\n', this.pos);
    return i === -1 ? this.text.length : i;
  }

  private openPackage(): void {
    const existing = this.root.children.get('package');
    let aot: ArrayOfTablesNode;
    if (existing === undefined) {
      aot = { kind: 'array_of_tables', tables: [] };
      this.root.children.set('package', aot);
    } else if (existing.kind === 'array_of_tables') aot = existing;
    else throw new Unhandled();
    const table = newTable(true);
    aot.tables.push(table);
    this.packages.push(table);
    this.current = table;
  }

  private openTable(path: string[]): void {
    let table = this.root;
    for (let i = 0; i < path.length; i++) {
      const key = path[i] as string;
      if (key === '') throw new Unhandled();
      const last = i === path.length - 1;
      const child = table.children.get(key);
      if (child === undefined) {
        const created = newTable(last);
        table.children.set(key, created);
        table = created;
      } else if (child.kind === 'table') {
        if (last) {
          if (child.explicit) throw new Unhandled();
          child.explicit = true;
        }
        table = child;
      } else if (child.kind === 'array_of_tables' && !last) {
        const element = child.tables[child.tables.length - 1];
        if (element === undefined) throw new Unhandled();
        table = element;
      } else throw new Unhandled();
    }
    this.current = table;
  }

  /** `key = value`, the value possibly spanning lines (an array), then an optional comment. */
  private keyValueLine(): void {
    this.skipSpaces();
    const key = this.key();
    this.skipSpaces();
    if (this.text.charCodeAt(this.pos) !== EQUALS) throw new Unhandled();
    this.pos++;
    this.skipSpaces();
    const value = this.value(0, false);
    this.define(this.current, key);
    if (typeof value === 'string') this.current.strings.set(key, value);
    this.skipSpaces();
    if (this.text.charCodeAt(this.pos) === HASH) this.pos = this.lineEnd();
    if (this.pos < this.text.length && this.text.charCodeAt(this.pos) !== NEWLINE) throw new Unhandled();
    this.pos++;
  }

  private define(table: TableNode, key: string): void {
    // `package = [...]` would be the packages too; keys that name object internals are left
    // to the full parser, whatever it makes of them.
    if (table.children.has(key) || RESERVED_KEYS.has(key) || (table === this.root && key === 'package'))
      throw new Unhandled();
    table.children.set(key, VALUE);
  }

  private key(): string {
    const text = this.text;
    if (text.charCodeAt(this.pos) === QUOTE) {
      const end = text.indexOf('"', this.pos + 1);
      if (end === -1 || end > this.lineEnd()) throw new Unhandled();
      const key = text.slice(this.pos + 1, end);
      if (key.includes('\\')) throw new Unhandled();
      this.pos = end + 1;
      return key;
    }
    let end = this.pos;
    while (end < text.length && isBareKeyChar(text.charCodeAt(end))) end++;
    if (end === this.pos) throw new Unhandled();
    const key = text.slice(this.pos, end);
    this.pos = end;
    return key;
  }

  private skipSpaces(): void {
    while (this.text.charCodeAt(this.pos) === SPACE) this.pos++;
  }

  /** Spaces, and newlines and comments unless the array is inside an inline table. */
  private skipArrayGap(oneLine: boolean): void {
    if (oneLine) {
      this.skipSpaces();
      return;
    }
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === SPACE || c === NEWLINE) this.pos++;
      else if (c === HASH) this.pos = this.lineEnd();
      else return;
    }
  }

  /** A value; strings are returned (a package's name and version), other values as null. */
  private value(depth: number, oneLine: boolean): string | null {
    if (depth > MAX_VALUE_DEPTH) throw new Unhandled();
    const c = this.text.charCodeAt(this.pos);
    if (c === QUOTE) return this.basicString();
    if (c === APOSTROPHE) return this.literalString();
    if (c === OPEN_BRACKET) {
      this.array(depth, oneLine);
      return null;
    }
    if (c === OPEN_BRACE) {
      COMMON_INLINE_TABLE.lastIndex = this.pos;
      if (COMMON_INLINE_TABLE.test(this.text)) {
        this.checkCharactersUpTo(this.pos);
        this.pos = COMMON_INLINE_TABLE.lastIndex;
        this.checkedUpTo = this.pos;
      } else this.inlineTable(depth);
      return null;
    }
    this.scalar();
    return null;
  }

  private basicString(): string {
    const text = this.text;
    const start = this.pos + 1;
    // Three quotes open a multi-line string (left to the full parser); two are the empty string.
    if (text.startsWith('""', start - 1) && text.charCodeAt(start + 1) === QUOTE) throw new Unhandled();
    const close = text.indexOf('"', start);
    const lineEnd = this.lineEnd();
    const backslash = this.backslashFrom(start);
    if (close !== -1 && close < lineEnd && (backslash === -1 || backslash > close)) {
      this.pos = close + 1;
      return text.slice(start, close);
    }
    return this.escapedString(start, lineEnd);
  }

  /** The first backslash at or after `from`, found once per stretch of text (not per string). */
  private backslashFrom(from: number): number {
    if (this.nextBackslash !== -1 && this.nextBackslash < from)
      this.nextBackslash = this.text.indexOf('\\', from);
    return this.nextBackslash;
  }

  /** A basic string with escapes, from after its opening quote. */
  private escapedString(start: number, lineEnd: number): string {
    const text = this.text;
    let out = '';
    let i = start;
    let chunkStart = i;
    for (;;) {
      if (i >= lineEnd) throw new Unhandled();
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        out += text.slice(chunkStart, i);
        const e = text[i + 1];
        const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new Unhandled();
          const code = Number.parseInt(hex, 16);
          if (code >= 0xd800 && code <= 0xdfff) throw new Unhandled();
          out += String.fromCharCode(code);
          i += 6;
        } else throw new Unhandled();
        chunkStart = i;
        continue;
      }
      i++;
    }
    out += text.slice(chunkStart, i);
    this.pos = i + 1;
    return out;
  }

  private literalString(): string {
    const text = this.text;
    // Three apostrophes open a multi-line literal string (left to the full parser).
    if (text.startsWith("''", this.pos + 1)) throw new Unhandled();
    const end = text.indexOf("'", this.pos + 1);
    if (end === -1 || end > this.lineEnd()) throw new Unhandled();
    const s = text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return s;
  }

  /** `true`, `false` or a plain decimal integer; anything else is left to the full parser. */
  private scalar(): void {
    const text = this.text;
    const start = this.pos;
    if (text.startsWith('true', start)) this.pos = start + 4;
    else if (text.startsWith('false', start)) this.pos = start + 5;
    else {
      let i = start;
      if (text.charCodeAt(i) === MINUS) i++;
      const digitsStart = i;
      while (isDigit(text.charCodeAt(i))) i++;
      const digits = i - digitsStart;
      if (digits === 0 || digits > MAX_INTEGER_DIGITS) throw new Unhandled();
      if (digits > 1 && text.charCodeAt(digitsStart) === ZERO) throw new Unhandled();
      this.pos = i;
    }
    // `truex`, `12.5`, `1979-05-27`, `1_000`: more than what was read, left to the full parser.
    if (isWordChar(text.charCodeAt(this.pos))) throw new Unhandled();
  }

  private array(depth: number, oneLine: boolean): void {
    this.pos++;
    this.skipArrayGap(oneLine);
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      return;
    }
    for (;;) {
      this.value(depth + 1, oneLine);
      this.skipArrayGap(oneLine);
      const c = this.text.charCodeAt(this.pos);
      if (c === CLOSE_BRACKET) {
        this.pos++;
        return;
      }
      if (c !== COMMA) throw new Unhandled();
      this.pos++;
      this.skipArrayGap(oneLine);
      if (this.text.charCodeAt(this.pos) === CLOSE_BRACKET) {
        this.pos++;
        return;
      }
    }
  }

  /** `{ k = v, … }` on one line, no trailing comma (TOML 1.0). */
  private inlineTable(depth: number): void {
    this.pos++;
    this.skipSpaces();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return;
    }
    // A handful of keys: a list is cheaper than a map to find a repeated one in.
    const keys: string[] = [];
    for (;;) {
      const key = this.key();
      if (keys.includes(key) || RESERVED_KEYS.has(key)) throw new Unhandled();
      keys.push(key);
      this.skipSpaces();
      if (this.text.charCodeAt(this.pos) !== EQUALS) throw new Unhandled();
      this.pos++;
      this.skipSpaces();
      this.value(depth + 1, true);
      this.skipSpaces();
      const c = this.text.charCodeAt(this.pos);
      if (c === CLOSE_BRACE) {
        this.pos++;
        return;
      }
      if (c !== COMMA) throw new Unhandled();
      this.pos++;
      this.skipSpaces();
    }
  }
}

const VALUE: DefinedNode = { kind: 'value' };
const SPACE = 0x20;
const NEWLINE = 0x0a;
const HASH = 0x23;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const MINUS = 0x2d;
const ZERO = 0x30;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isBareKeyChar(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === MINUS;
}

/** What may continue a TOML number, date or keyword: its end was not reached. */
function isWordChar(c: number): boolean {
  return isBareKeyChar(c) || c === 0x2e || c === 0x2b || c === 0x3a;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
};
