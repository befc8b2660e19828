/**
 * The requirements a `setup.py` declares, read without running it: string literals of
 * `install_requires=[…]` and of the lists in `extras_require={…}`, also through a name bound to
 * a literal in the same file (`install_requires=REQUIREMENTS`). One linear pass over a small
 * tokenizer; literals nested deeper than a few levels, and anything that is not a literal
 * (calls, f-strings, comprehensions, `open("requirements.txt")`), are ignored.
 */

type Token =
  | { kind: 'str'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'other' };

/** A value as far as it matters here: strings, lists of values, dicts of values, names. */
type Literal =
  | { kind: 'str'; value: string }
  | { kind: 'list'; items: Literal[] }
  | { kind: 'dict'; values: Literal[] }
  | { kind: 'name'; value: string }
  | { kind: 'other' };

/** Requirement strings kept per file, at most (a real setup.py has tens). */
const MAX_REQUIREMENTS = 500;
/** A requirement string longer than this is no requirement. */
const MAX_REQUIREMENT_CHARS = 256;
/** Literal nesting read (`extras_require={"x": [...]}` is 2). */
const MAX_DEPTH = 4;
/** Names bound to literals remembered for `install_requires=NAME`. */
const MAX_BOUND_NAMES = 64;

const TRIPLE = /^[rRbBuUfF]{0,2}("""|''')/;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

class Lexer {
  private pos = 0;
  private peeked: Token | null = null;
  /** Open brackets: a line break inside them does not end a statement. */
  private depth = 0;

  constructor(private readonly text: string) {}

  peek(): Token | null {
    this.peeked ??= this.read();
    return this.peeked;
  }

  next(): Token | null {
    const t = this.peek();
    this.peeked = null;
    return t;
  }

  private read(): Token | null {
    const s = this.text;
    for (;;) {
      if (this.pos >= s.length) return null;
      const ch = s[this.pos] as string;
      if (ch === '#') {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl === -1 ? s.length : nl;
        continue;
      }
      if (ch === '\n') {
        this.pos++;
        // The end of a statement (`VERSION = "1.0"`), so that what follows is read on its own.
        if (this.depth === 0) return { kind: 'op', value: '\n' };
        continue;
      }
      if (ch === '\\' && (s[this.pos + 1] === '\n' || s.startsWith('\r\n', this.pos + 1))) {
        // A backslash continues the statement on the next line.
        this.pos += s[this.pos + 1] === '\n' ? 2 : 3;
        continue;
      }
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\\' || ch === '\f') {
        this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    WORD.lastIndex = start;
    const m = WORD.exec(s);
    if (m) {
      const w = m[0];
      const quote = s[start + w.length];
      if (w.length <= 2 && /^[rRbBuUfF]+$/.test(w) && (quote === '"' || quote === "'"))
        return this.string(start, w.length, /[fF]/.test(w));
      this.pos = start + w.length;
      return { kind: 'name', value: w };
    }
    const ch = s[start] as string;
    if (ch === '"' || ch === "'") return this.string(start, 0, false);
    if (s.startsWith('==', start) || s.startsWith('**', start)) {
      this.pos = start + 2;
      return { kind: 'op', value: s.slice(start, start + 2) };
    }
    this.pos = start + 1;
    if (ch === '[' || ch === '(' || ch === '{') this.depth++;
    else if ((ch === ']' || ch === ')' || ch === '}') && this.depth > 0) this.depth--;
    return '[](){},=:.'.includes(ch) ? { kind: 'op', value: ch } : { kind: 'other' };
  }

  /** A string literal starting at `start` after a prefix of `prefix` characters. */
  private string(start: number, prefix: number, formatted: boolean): Token {
    const s = this.text;
    const triple = TRIPLE.exec(s.slice(start, start + prefix + 3));
    const delim = triple ? (triple[1] as string) : (s[start + prefix] as string);
    let i = start + prefix + delim.length;
    let value = '';
    for (;;) {
      if (i >= s.length) break;
      const c = s[i] as string;
      if (c === '\\') {
        value += s[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (s.startsWith(delim, i)) {
        i += delim.length;
        break;
      }
      // An unterminated one-line string ends at the line's end.
      if (c === '\n' && delim.length === 1) break;
      if (value.length <= MAX_REQUIREMENT_CHARS) value += c;
      i++;
    }
    this.pos = i;
    return formatted ? { kind: 'other' } : { kind: 'str', value };
  }
}

/** Reads one value at the lexer's position; consumes a balanced expression it cannot read. */
function readLiteral(lex: Lexer, depth: number): Literal {
  const t = lex.next();
  if (t === null) return { kind: 'other' };
  if (t.kind === 'str') {
    let value = t.value;
    for (let n = lex.peek(); n?.kind === 'str'; n = lex.peek())
      value += (lex.next() as { value: string }).value;
    return endsValue(lex) ? { kind: 'str', value } : skipRest(lex);
  }
  if (t.kind === 'name') return endsValue(lex) ? { kind: 'name', value: t.value } : skipRest(lex);
  if (t.kind === 'op' && (t.value === '[' || t.value === '(' || t.value === '{')) {
    const close = t.value === '[' ? ']' : t.value === '(' ? ')' : '}';
    if (depth >= MAX_DEPTH) {
      // Too deep to matter: skip to the bracket that closes this one, and past it.
      skipRest(lex);
      if (lex.peek()?.kind === 'op') lex.next();
      return { kind: 'other' };
    }
    return t.value === '{' ? readDict(lex, depth + 1) : readList(lex, close, depth + 1);
  }
  return skipRest(lex);
}

/** The next token ends a value (left for the caller): a comma, a dict key's colon, a closing bracket. */
function endsValue(lex: Lexer): boolean {
  const n = lex.peek();
  return (
    n === null ||
    (n.kind === 'op' &&
      (n.value === ',' ||
        n.value === ':' ||
        n.value === ']' ||
        n.value === ')' ||
        n.value === '}' ||
        n.value === '\n'))
  );
}

/** Skips the rest of an expression up to (not past) the comma, bracket or line end that ends it. */
function skipRest(lex: Lexer): Literal {
  let depth = 0;
  for (let n = lex.peek(); n !== null; n = lex.peek()) {
    if (n.kind === 'op') {
      if (n.value === '\n') break;
      if (n.value === '[' || n.value === '(' || n.value === '{') depth++;
      else if (n.value === ']' || n.value === ')' || n.value === '}') {
        if (depth === 0) break;
        depth--;
      } else if (n.value === ',' && depth === 0) break;
    }
    lex.next();
  }
  return { kind: 'other' };
}

function readList(lex: Lexer, close: string, depth: number): Literal {
  const items: Literal[] = [];
  for (;;) {
    const n = lex.peek();
    if (n === null) return { kind: 'list', items };
    if (n.kind === 'op' && (n.value === ']' || n.value === ')' || n.value === '}')) {
      lex.next();
      return n.value === close ? { kind: 'list', items } : { kind: 'other' };
    }
    if (n.kind === 'op' && n.value === ',') {
      lex.next();
      continue;
    }
    items.push(readLiteral(lex, depth));
  }
}

function readDict(lex: Lexer, depth: number): Literal {
  const values: Literal[] = [];
  for (;;) {
    const n = lex.peek();
    if (n === null) return { kind: 'dict', values };
    if (n.kind === 'op' && (n.value === '}' || n.value === ']' || n.value === ')')) {
      lex.next();
      return n.value === '}' ? { kind: 'dict', values } : { kind: 'other' };
    }
    if (n.kind === 'op' && n.value === ',') {
      lex.next();
      continue;
    }
    readLiteral(lex, depth); // the key
    if (lex.peek()?.kind === 'op' && (lex.peek() as { value: string }).value === ':') {
      lex.next();
      values.push(readLiteral(lex, depth));
    }
  }
}

/** The requirement strings of `install_requires` and `extras_require` in a setup.py's text. */
export function setupPyRequirements(text: string): string[] {
  const lex = new Lexer(text);
  const bound = new Map<string, Literal>();
  const wanted: Literal[] = [];
  let prev: Token | null = null;
  for (let t = lex.next(); t !== null; t = lex.next()) {
    const name = t.kind === 'name' ? t.value : null;
    const eq = lex.peek();
    if (
      name !== null &&
      eq?.kind === 'op' &&
      eq.value === '=' &&
      !(prev?.kind === 'op' && prev.value === '.')
    ) {
      lex.next();
      const value = readLiteral(lex, 0);
      if (name === 'install_requires' || name === 'extras_require') wanted.push(value);
      else if (value.kind !== 'other' && (bound.has(name) || bound.size < MAX_BOUND_NAMES))
        bound.set(name, value);
      prev = null;
      continue;
    }
    prev = t;
  }
  const out: string[] = [];
  const collect = (v: Literal, followed: boolean): void => {
    if (out.length >= MAX_REQUIREMENTS) return;
    if (v.kind === 'str') {
      if (v.value.length <= MAX_REQUIREMENT_CHARS) out.push(v.value);
    } else if (v.kind === 'list') for (const i of v.items) collect(i, followed);
    else if (v.kind === 'dict') for (const i of v.values) collect(i, followed);
    else if (v.kind === 'name' && !followed) {
      // `install_requires=REQUIREMENTS`: the literal that name is bound to, followed once.
      const target = bound.get(v.value);
      if (target) collect(target, true);
    }
  };
  for (const v of wanted) collect(v, false);
  return out;
}
