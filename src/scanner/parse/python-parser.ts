import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser, type Tree } from 'web-tree-sitter';

/**
 * The tree-sitter Python grammar through WASM (web-tree-sitter 0.25 + tree-sitter-python
 * 0.25's `.wasm`). Chosen over the native addon because npm install scripts do not run in
 * every environment the pipeline runs in, and the WASM build needs no compiler; the speed
 * cost is measured in bench/scanner.ts (README). The native addon's prebuilt linux-x64 binary
 * (tree-sitter 0.25.1) needs libstdc++ GLIBCXX_3.4.31 (GCC 13), which Debian 12 — the image's
 * node:20-bookworm-slim — does not have (3.4.30): it does not load there without a compiler.
 * Parsing is synchronous: the scanner runs in its own process, so it never blocks a worker's
 * event loop.
 */
let parserPromise: Promise<Parser> | null = null;

export function loadPythonParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    // Both WASM files are read now, not by web-tree-sitter once its runtime is up: one step
    // less between the two compilations, and the runtime's file is found the same way whether
    // web-tree-sitter is loaded from node_modules or bundled into the scanner (scanner-bundle.cjs).
    const require = createRequire(import.meta.url);
    const runtime = readFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'));
    const grammar = readFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    await Parser.init({ wasmBinary: runtime });
    const language = await Language.load(grammar);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

export type ParseOutcome =
  | { ok: true; tree: Tree }
  | { ok: false; reason: 'syntax_error'; tree: Tree }
  | { ok: false; reason: 'timeout' };

/** Parses source, giving up (without a tree) once `deadline` (epoch ms) has passed. */
export function parsePython(parser: Parser, source: string, deadline: number): ParseOutcome {
  const tree = parser.parse(source, null, {
    // Returning true cancels the parse (typed as void upstream).
    progressCallback: (() => Date.now() > deadline) as () => void,
  });
  if (tree === null) {
    // A cancelled parse is resumed by the next call unless the parser is reset.
    parser.reset();
    return { ok: false, reason: 'timeout' };
  }
  if (tree.rootNode.hasError) return { ok: false, reason: 'syntax_error', tree };
  return { ok: true, tree };
}
