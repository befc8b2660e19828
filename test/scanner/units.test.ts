import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPinnedLaunch, serversFromConfig } from '../../src/scanner/analysis/mcp.js';
import {
  type DependencyIndex,
  loadTomlParser,
  parseDependencyFile,
  parseRequirement,
} from '../../src/scanner/deps/dependency-versions.js';
import { scanRepository } from '../../src/scanner/index.js';
import { notebookCode } from '../../src/scanner/parse/notebook.js';
import { extractPythonFacts } from '../../src/scanner/parse/python-facts.js';
import { loadPythonParser, parsePython } from '../../src/scanner/parse/python-parser.js';
import { hasFewPythonSources } from '../../src/scanner/walk/small-repository.js';
import { FIXTURES, writeTree } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-units-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dependency files', () => {
  beforeAll(loadTomlParser);
  it('reads pins, specifiers and extras from requirement lines', () => {
    expect(parseRequirement('crewai[tools]==0.28.8 ; python_version > "3.9"')).toEqual({
      name: 'crewai',
      version: '0.28.8',
      precision: 'pinned',
    });
    expect(parseRequirement('langgraph >=0.2,<0.3')).toEqual({
      name: 'langgraph',
      version: '>=0.2,<0.3',
      precision: 'specifier',
    });
    expect(parseRequirement('smolagents')).toEqual({ name: 'smolagents', version: null, precision: 'none' });
    expect(parseRequirement('-r base.txt')).toBeNull();
    expect(parseRequirement('git+https://example.invalid/x.git')).toBeNull();
  });

  it('prefers a lockfile version over a specifier, whatever the order read', () => {
    const index: DependencyIndex = new Map();
    parseDependencyFile('requirements.txt', 'LangChain_Core>=0.3\n', index);
    parseDependencyFile('poetry.lock', '[[package]]\nname = "langchain-core"\nversion = "0.3.21"\n', index);
    parseDependencyFile('pyproject.toml', '[project]\ndependencies = ["langchain-core>=0.1"]\n', index);
    expect(index.get('langchain-core')).toEqual({
      name: 'langchain-core',
      version: '0.3.21',
      precision: 'locked',
    });
  });

  it('reads Poetry tables, Pipfile.lock and setup.py install_requires', () => {
    const index: DependencyIndex = new Map();
    parseDependencyFile(
      'pyproject.toml',
      '[tool.poetry.dependencies]\npython = "^3.11"\ncrewai = "0.80.0"\nagno = { version = "^1.2" }\n',
      index,
    );
    parseDependencyFile('Pipfile.lock', JSON.stringify({ default: { dspy: { version: '==2.6.1' } } }), index);
    parseDependencyFile(
      'setup.py',
      'setup(name="x", install_requires=["haystack-ai==2.1.0", "requests"])',
      index,
    );
    expect(index.get('crewai')?.version).toBe('0.80.0');
    expect(index.get('agno')?.version).toBe('^1.2');
    expect(index.get('dspy')?.version).toBe('2.6.1');
    expect(index.get('haystack-ai')?.version).toBe('2.1.0');
    expect(index.has('python')).toBe(false);
  });

  it('reads setup.py install_requires and extras_require literals without running it', () => {
    const index: DependencyIndex = new Map();
    const setupPy = [
      'from setuptools import setup, find_packages',
      '# install_requires=["not-this==1.0"] is a comment',
      'BASE = [',
      '    "crewai[tools]>=0.80,<0.90",  # extras brackets inside the list',
      "    'requests',",
      ']',
      'setup(',
      '    name="my-crew",',
      '    install_requires=BASE,',
      '    extras_require={',
      '        "graph": ["langgraph==0.2.60", f"pkg=={VERSION}"],',
      '        "rag": ("llama-index-core~=0.12",),',
      '    },',
      '    tests_require=["pytest==8.0.0"],',
      ')',
    ].join('\n');
    parseDependencyFile('setup.py', setupPy, index);
    expect(index.get('crewai')?.version).toBe('>=0.80,<0.90');
    expect(index.get('langgraph')).toEqual({ name: 'langgraph', version: '0.2.60', precision: 'pinned' });
    expect(index.get('llama-index-core')?.version).toBe('~=0.12');
    expect(index.has('requests')).toBe(true);
    expect(index.has('not-this')).toBe(false);
    expect(index.has('pytest')).toBe(false);
    expect(index.has('pkg')).toBe(false);
  });

  it('throws on malformed TOML so the file counts as a parser error', () => {
    expect(() => parseDependencyFile('pyproject.toml', '[project\nname=', new Map())).toThrow();
  });
});

describe('Python facts (callees read from the text, targets and decorators from the walk)', () => {
  it('gives the callees, assignment targets and decorators the tree gives', async () => {
    const source = [
      'import client',
      'from crewai import Agent',
      'client.a(1)(2)',
      'client.make(1).run(2)',
      'True()',
      'client .spaced(3)',
      'x = Agent(role="r")',
      'a = b = Agent(role="s")',
      'async def f():',
      '    r = await client.call(4)',
      '    return r',
      '@client.deco(5)',
      'def g():',
      '    """doc"""',
      '    return client.inner(6)',
      '@client.plain',
      'class K:',
      '    @staticmethod',
      '    def h():',
      '        pass',
      '# IBAN, the patient and email_address (sensitive data, any order and case)',
      '',
    ].join('\n');
    const parsed = parsePython(await loadPythonParser(), source, Date.now() + 60_000);
    if (!parsed.ok) throw new Error('snippet did not parse');
    const facts = extractPythonFacts(parsed.tree, source, { path: 'x.py', isTest: false, isNotebook: false });
    parsed.tree.delete();
    // `client.a(1)(2)`: the outer call's function is a call (no name), as is `True()`'s: neither is kept.
    expect(facts.calls.map((c) => [c.callee, c.line, c.assignedTo, c.fn])).toEqual([
      ['client.a', 3, null, null],
      ['client.make().run', 4, null, null],
      ['client.make', 4, null, null],
      ['client.spaced', 6, null, null],
      ['Agent', 7, 'x', null],
      ['Agent', 8, 'b', null],
      ['client.call', 10, 'r', 'f'],
      ['client.deco', 12, null, null],
      ['client.inner', 15, null, 'g'],
    ]);
    expect(facts.functions.map((f) => [f.name, f.cls, f.docstring, f.decorators.map((d) => d.name)])).toEqual(
      [
        ['f', null, false, []],
        ['g', null, true, ['client.deco']],
        ['h', 'K', false, ['staticmethod']],
      ],
    );
  });
});

describe('notebooks', () => {
  it('joins code cells and blanks magics and shell escapes', () => {
    const nb = JSON.stringify({
      cells: [
        { cell_type: 'markdown', source: ['import crewai'] },
        { cell_type: 'code', source: ['!pip install x\n', '%load_ext y\n', 'import dspy\n'] },
        { cell_type: 'code', source: 'x = 1' },
      ],
    });
    expect(notebookCode(nb)).toBe('\n\nimport dspy\n\nx = 1');
  });
});

describe('MCP', () => {
  it('knows a pinned launch from an unpinned one', () => {
    expect(isPinnedLaunch('npx', ['-y', '@scope/server@1.0.2'])).toBe(true);
    expect(isPinnedLaunch('npx', ['-y', '@scope/server'])).toBe(false);
    expect(isPinnedLaunch('uvx', ['mcp-server-git==0.6.2'])).toBe(true);
    expect(isPinnedLaunch('uvx', ['mcp-server-git'])).toBe(false);
    expect(isPinnedLaunch('docker', ['run', '-i', 'mcp/fetch:latest'])).toBe(false);
    expect(isPinnedLaunch('docker', ['run', '-i', 'mcp/fetch:1.2'])).toBe(true);
    expect(isPinnedLaunch('python', ['server.py'])).toBe(true);
  });

  it('reads Claude/Cursor and VS Code config shapes', () => {
    const a = serversFromConfig('mcp.json', {
      mcpServers: { r: { url: 'https://x.invalid', headers: { Authorization: 'b' } } },
    });
    const b = serversFromConfig('.vscode/mcp.json', { servers: { s: { command: 'npx', args: ['y'] } } });
    expect(a.map((s) => [s.transport, s.hasAuth])).toEqual([['remote', true]]);
    expect(b.map((s) => [s.transport, s.pinned])).toEqual([['stdio', false]]);
  });
});

describe('topology signature', () => {
  it('ignores names: a renamed copy collides, a different structure does not', async () => {
    const original = path.join(FIXTURES, 'crewai-multi');
    const copy = path.join(tmp, 'renamed');
    cpSync(original, copy, { recursive: true });
    const crewFile = path.join(copy, 'src/newsroom/crew.py');
    const renamed = readFileSync(crewFile, 'utf8')
      .replaceAll('reporter', 'scout')
      .replaceAll('editor', 'reviewer')
      .replaceAll('search', 'lookup');
    writeFileSync(crewFile, renamed);
    const a = (await scanRepository(original)) as { topology_signature_hash: string };
    const b = (await scanRepository(copy, { repoName: 'someone/fork' })) as {
      topology_signature_hash: string;
    };
    expect(b.topology_signature_hash).toBe(a.topology_signature_hash);
    writeFileSync(
      crewFile,
      renamed.replace('tools=[lookup], allow_delegation=True', 'tools=[], allow_delegation=True'),
    );
    const c = (await scanRepository(copy)) as { topology_signature_hash: string };
    expect(c.topology_signature_hash).not.toBe(a.topology_signature_hash);
  });
});

describe('hasFewPythonSources (chooses the WASM tier before the scan)', () => {
  it('counts Python files and notebooks as the walk does, stopping at the limit', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-few-'));
    try {
      writeTree(dir, {
        'a.py': 'x = 1\n',
        'pkg/b.py': 'y = 2\n',
        'nb/c.ipynb': '{}',
        'README.md': '# no\n',
        'node_modules/d.py': '',
        '.venv/e.py': '',
      });
      symlinkSync(path.join(dir, 'pkg'), path.join(dir, 'loop'));
      expect(hasFewPythonSources(dir, 4)).toBe(true);
      expect(hasFewPythonSources(dir, 3)).toBe(false);
      expect(hasFewPythonSources(path.join(dir, 'missing'), 1)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
