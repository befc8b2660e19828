import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as TreeSitter from 'web-tree-sitter';
import {
  GluePatchError,
  PATCHED_NODE_HANDLE,
  PATCHED_WEB_TREE_SITTER_VERSION,
  patchWebTreeSitterGlue,
} from '../../src/scanner/parse/web-tree-sitter-patch.js';

const root = path.resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
/** `require` resolves the package to its CommonJS glue, the file the bundle takes in. */
const GLUE = require.resolve('web-tree-sitter');
const glue = readFileSync(GLUE, 'utf8');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-glue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Module = typeof TreeSitter;

async function pythonParser(module: Module): Promise<TreeSitter.Parser> {
  await module.Parser.init({ wasmBinary: readFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm')) });
  const language = await module.Language.load(
    readFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm')),
  );
  const parser = new module.Parser();
  parser.setLanguage(language);
  return parser;
}

/** Every node of the tree as the scanner reads nodes: type, offsets, points, text, fields. */
function describeTree(tree: TreeSitter.Tree): string[] {
  const out: string[] = [];
  const visit = (node: TreeSitter.Node, depth: number) => {
    const fields = ['name', 'function', 'arguments', 'value', 'body', 'left', 'right']
      .map((f) => node.childForFieldName(f))
      .map((c) => (c === null ? '-' : `${c.type}@${c.startIndex}`));
    out.push(
      [
        depth,
        node.type,
        node.startIndex,
        node.endIndex,
        `${node.startPosition.row}:${node.startPosition.column}`,
        `${node.endPosition.row}:${node.endPosition.column}`,
        node.hasError,
        node.isMissing,
        JSON.stringify(node.text),
        fields.join(','),
      ].join(' '),
    );
    for (const child of node.children) if (child) visit(child, depth + 1);
  };
  visit(tree.rootNode, 0);
  const calls = tree.rootNode.descendantsOfType(['call', 'assignment', 'import_from_statement']);
  out.push(calls.map((n) => `${n?.type}@${n?.startIndex}-${n?.endIndex}`).join(' '));
  return out;
}

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => path.join(dir, rel))
    .filter((f) => f.endsWith('.py') && statSync(f).isFile());
}

/** Sources that cross the 5,119-unit input chunks, carry surrogate pairs, lone surrogates, CRLF. */
function generatedSources(): string[] {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pieces = [
    'from crewai import Agent, Crew\n',
    'a = Agent(role="r", goal="g", tools=[search], llm="gpt-4o")\n',
    'def f(x, *args, **kw):\n    return [y for y in x if y]\n',
    's = "héllo wörld ✓ 漢字 😀"\n',
    "t = '\ud83d'\n",
    'class C(Base, metaclass=M):\n    async def run(self):\n        await go()\r\n',
    '# comment 🎉 with emoji\n',
    'x = (1 +\n',
    'while True:\n    pass\n',
  ];
  const sources: string[] = [];
  for (let n = 0; n < 12; n++) {
    let text = '';
    const length = n < 4 ? 200 : 4000 + Math.floor(random() * 40_000);
    while (text.length < length) text += pieces[Math.floor(random() * pieces.length)];
    sources.push(text);
  }
  sources.push('😀'.repeat(6000), `${'a'.repeat(5118)}😀b = 1\n`, '');
  return sources;
}

describe("web-tree-sitter's glue, patched into the scanner bundle", () => {
  let plain: TreeSitter.Parser;
  let patched: TreeSitter.Parser;

  beforeAll(async () => {
    const file = path.join(tmp, 'tree-sitter.cjs');
    writeFileSync(file, patchWebTreeSitterGlue(glue));
    plain = await pythonParser(require(GLUE) as Module);
    patched = await pythonParser(createRequire(file)(file) as Module);
  });

  it('is written for the installed release, which package.json pins exactly', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(manifest.dependencies['web-tree-sitter']).toBe(PATCHED_WEB_TREE_SITTER_VERSION);
    expect(path.basename(GLUE)).toBe('tree-sitter.cjs');
    expect(JSON.parse(readFileSync(path.join(path.dirname(GLUE), 'package.json'), 'utf8')).version).toBe(
      PATCHED_WEB_TREE_SITTER_VERSION,
    );
  });

  it('gives the same trees, nodes and texts as the unpatched glue', () => {
    const sources = [
      ...pythonFiles(path.join(root, 'test')).map((f) => readFileSync(f, 'utf8')),
      ...generatedSources(),
    ];
    expect(sources.length).toBeGreaterThan(100);
    for (const source of sources) {
      const a = plain.parse(source);
      const b = patched.parse(source);
      if (a === null || b === null) throw new Error('no tree');
      expect(describeTree(b)).toEqual(describeTree(a));
      a.delete();
      b.delete();
    }
  });

  it('refuses glue of another shape, naming the rewrite that missed', () => {
    const changed: [string, string, RegExp][] = [
      [
        '    this[0] = other;\n    this.id = id;',
        '    this[0] = other | 0;\n    this.id = id;',
        /Node handle in the constructor/,
      ],
      ['C.setValue(address, node[0], "i32");', 'C.setValue(address, node[0] | 0, "i32");', /marshalNode/],
      [
        'stringToUTF16(string, inputBufferAddress',
        'stringToUTF16(string.valueOf(), inputBufferAddress',
        /input copy/,
      ],
    ];
    for (const [from, to, why] of changed) {
      expect(glue.split(from).length).toBe(2);
      expect(() => patchWebTreeSitterGlue(glue.replace(from, to))).toThrow(why);
    }
    const fewAccesses = glue.replaceAll(/C\.getValue\(([^()]*), "i32"\)/g, "C.getValue($1, 'i32')");
    expect(() => patchWebTreeSitterGlue(fewAccesses)).toThrow(/getValue\/setValue/);
    expect(() => patchWebTreeSitterGlue(patchWebTreeSitterGlue(glue))).toThrow(GluePatchError);
  });

  it('is in the bundle npm run build made, and the unpatched accesses are not', () => {
    const bundle = readFileSync(path.join(root, 'dist/src/scanner/scanner-bundle.cjs'), 'utf8');
    expect(bundle).toContain(PATCHED_NODE_HANDLE);
    expect(bundle).toContain('Buffer.from(wasmMemory.buffer, inputBufferAddress');
    expect(bundle).not.toMatch(/C\.getValue\([^()]*, "i32"\)/);
    expect(bundle).not.toContain('node[0]');
  });
});
