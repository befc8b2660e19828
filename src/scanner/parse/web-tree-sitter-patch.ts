/**
 * Three rewrites of web-tree-sitter's JavaScript glue, applied when `npm run build` bundles the
 * scanner (bundle-scanner.ts). They change how values cross between JavaScript and the WASM
 * memory, never what crosses: the trees, nodes and texts the scanner reads are the same
 * (test/scanner/web-tree-sitter-patch.test.ts compares them with the unpatched module's).
 * Measured on four bench repositories, in process: 5.6–7.8 % less time per scan.
 *
 * - A `Node` keeps its WASM handle under the integer key `[0]`, set by a class field and again
 *   by its constructor, which gives every node an elements store: about five times the cost of
 *   creating a plain object, and tens of thousands of nodes per repository. It becomes the named
 *   property `_handle`.
 * - Every 32-bit read and write of the WASM memory goes through `getValue`/`setValue`, which
 *   test the type's name on each call (`type.endsWith("*")`, then a switch); a node crosses as
 *   five of them. They become direct little-endian reads and writes of the same `DataView`.
 * - The source text is copied into the parser's input buffer one UTF-16 code unit at a time by
 *   a JavaScript loop; it becomes one native `Buffer#write` of the same code units.
 *
 * Written for one release: the dependency is pinned to it exactly in package.json, and each
 * rewrite must find its anchor exactly once, or the build fails with the anchor it missed.
 */
export const PATCHED_WEB_TREE_SITTER_VERSION = '0.25.10';

/** What only the patched glue holds (the bundle's test looks for it). */
export const PATCHED_NODE_HANDLE = 'this._handle = other;';

export class GluePatchError extends Error {
  override name = 'GluePatchError';
}

function replaceOnce(source: string, anchor: string, replacement: string, what: string): string {
  const at = source.indexOf(anchor);
  if (at === -1 || source.indexOf(anchor, at + 1) !== -1)
    throw new GluePatchError(
      `web-tree-sitter glue: ${what}: expected its anchor exactly once (${at === -1 ? 'absent' : 'found twice'}): ${JSON.stringify(anchor.slice(0, 80))}`,
    );
  return source.slice(0, at) + replacement + source.slice(at + anchor.length);
}

/** The text of `Node`'s class body, from its declaration to its closing line. */
function nodeClassBounds(source: string): { start: number; end: number } {
  const start = source.indexOf('var Node = class {');
  const end = start === -1 ? -1 : source.indexOf('\n};', start);
  if (start === -1 || end === -1 || source.indexOf('var Node = class {', start + 1) !== -1)
    throw new GluePatchError('web-tree-sitter glue: Node handle: the Node class was not found once');
  return { start, end };
}

function patchNodeHandle(source: string): string {
  const { start, end } = nodeClassBounds(source);
  let body = source.slice(start, end);
  body = replaceOnce(body, '  [0] = 0;\n', '', 'Node handle field');
  body = replaceOnce(body, '    this[0] = other;\n', '', 'Node handle in the constructor');
  body = replaceOnce(
    body,
    '    this.startPosition = startPosition;\n  }',
    `    this.startPosition = startPosition;\n    ${PATCHED_NODE_HANDLE}\n  }`,
    'Node handle as a named property',
  );
  if (/[^.\w]this\[0\]|\bnode\[0\]/.test(body.replace(/this\.tree\[0\]/g, '')))
    throw new GluePatchError('web-tree-sitter glue: Node handle: the class still reads [0]');
  const patched = source.slice(0, start) + body + source.slice(end);
  return replaceOnce(
    patched,
    'C.setValue(address, node[0], "i32");',
    'C.setValue(address, node._handle, "i32");',
    'marshalNode handle',
  );
}

/** The index just past the parenthesis that closes the one opening at `open`. */
function closingParen(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'") {
      i = source.indexOf(c, i + 1);
      if (i === -1) break;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new GluePatchError('web-tree-sitter glue: unbalanced call to getValue/setValue');
}

/** The top-level arguments of a call's text `(a, b(c, d), "i32")`. */
function splitArguments(inner: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(from, i).trim());
      from = i + 1;
    }
  }
  args.push(inner.slice(from).trim());
  return args;
}

/**
 * `C.getValue(p, "i32")` reads `LE_HEAP_LOAD_I32((p >> 2) * 4)`, a little-endian `getInt32` of
 * `HEAP_DATA_VIEW`; `C.setValue(p, v, "i32")` the matching `setInt32`. `(p >> 2) * 4` is `p & -4`
 * for the addresses of a 32-bit memory.
 */
function patchInt32Access(source: string): string {
  let out = '';
  let from = 0;
  let rewritten = 0;
  const call = /\bC\.(getValue|setValue)\(/g;
  for (let m = call.exec(source); m !== null; m = call.exec(source)) {
    const open = m.index + m[0].length - 1;
    const close = closingParen(source, open);
    const args = splitArguments(source.slice(open + 1, close - 1));
    call.lastIndex = close;
    if (args[args.length - 1] !== '"i32"') continue;
    let replacement: string;
    if (m[1] === 'getValue' && args.length === 2)
      replacement = `C.HEAP_DATA_VIEW.getInt32((${args[0]}) & -4, true)`;
    else if (m[1] === 'setValue' && args.length === 3)
      replacement = `C.HEAP_DATA_VIEW.setInt32((${args[0]}) & -4, ${args[1]}, true)`;
    else throw new GluePatchError(`web-tree-sitter glue: unexpected ${source.slice(m.index, close)}`);
    out += source.slice(from, m.index) + replacement;
    from = close;
    rewritten++;
  }
  // 0.25.10 has 86 such calls (60 reads, 26 writes); far fewer means the glue changed shape.
  if (rewritten < 60)
    throw new GluePatchError(`web-tree-sitter glue: only ${rewritten} 32-bit getValue/setValue calls found`);
  return out + source.slice(from);
}

const INPUT_COPY =
  /^( *)setValue\(lengthAddress, string\.length, "i32"\);\n *stringToUTF16\(string, inputBufferAddress, INPUT_BUFFER_SIZE\);$/gm;

function patchInputCopy(source: string): string {
  const found = [...source.matchAll(INPUT_COPY)];
  if (found.length !== 1)
    throw new GluePatchError(`web-tree-sitter glue: input copy: found ${found.length} times, expected once`);
  const m = found[0] as RegExpMatchArray;
  const indent = m[1] as string;
  // stringToUTF16 writes min(length, size / 2 - 1) code units and a 0 after them.
  const copy = [
    'setValue(lengthAddress, string.length, "i32");',
    'const units = Math.min(string.length, INPUT_BUFFER_SIZE / 2 - 1);',
    'Buffer.from(wasmMemory.buffer, inputBufferAddress, INPUT_BUFFER_SIZE).write(string, 0, units * 2, "utf16le");',
    'HEAP_DATA_VIEW.setUint16(inputBufferAddress + units * 2, 0, true);',
  ]
    .map((line) => indent + line)
    .join('\n');
  const at = m.index as number;
  return source.slice(0, at) + copy + source.slice(at + m[0].length);
}

/** web-tree-sitter's glue (tree-sitter.cjs or tree-sitter.js of the pinned release), patched. */
export function patchWebTreeSitterGlue(source: string): string {
  if (source.includes(PATCHED_NODE_HANDLE)) throw new GluePatchError('web-tree-sitter glue: already patched');
  return patchInputCopy(patchInt32Access(patchNodeHandle(source)));
}
