import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PythonFacts } from '../../src/scanner/model.js';
import { extractPythonFacts } from '../../src/scanner/parse/python-facts.js';
import { loadPythonParser, parsePython } from '../../src/scanner/parse/python-parser.js';
import { warmUpCorpus } from '../../src/scanner/serve/warm-up-corpus.js';
import { FIXTURES } from './helpers.js';

/** Every `.py` file under a directory: relative path → text. */
function pythonFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const abs = path.join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (name.endsWith('.py')) out[path.relative(dir, abs)] = readFileSync(abs, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** What of a file's full facts no detector or rule reads when the file is test code. */
function withoutNonOutline(facts: PythonFacts): PythonFacts {
  return {
    ...facts,
    calls: [],
    assigns: [],
    envRefs: [],
    modelLiterals: [],
    whileTrueLines: [],
    inputInLoopLines: [],
    swallowedExceptLines: [],
    functions: facts.functions.map((fn) => ({ ...fn, decorators: [], calledNames: [] })),
  };
}

const SNIPPET = [
  'import os',
  'from crewai import Agent, Crew as C',
  'import langgraph.graph as lg',
  '@pytest.fixture(scope="module")',
  'def agent():',
  '    """A docstring."""',
  '    key = os.environ["OPENAI_API_KEY"]',
  '    return Agent(role="r", goal="g", llm="gpt-4o-mini")',
  'class TestCrew(Base, mod.Other):',
  '    @decorated',
  '    def test_run(self, agent):',
  '        while True:',
  '            try:',
  '                C(agents=[agent]).kickoff()',
  '            except Exception:',
  '                pass',
  '        class Inner:',
  '            def method(self): input("proceed? (y/n)")',
  '    async def test_async(self):',
  '        from local.module import helper',
  '        await helper()',
].join('\n');

describe('test code is read as an outline', () => {
  it('gives the full facts less what no detector or rule reads of test code, on every fixture and the warm-up corpus', async () => {
    const parser = await loadPythonParser();
    const sources = { ...pythonFiles(FIXTURES), ...warmUpCorpus(), 'snippet/test_x.py': SNIPPET };
    let compared = 0;
    let withFunctions = 0;
    for (const [rel, source] of Object.entries(sources)) {
      if (!rel.endsWith('.py')) continue;
      const parsed = parsePython(parser, source, Date.now() + 60_000);
      if (!parsed.ok) {
        if (parsed.reason === 'syntax_error') parsed.tree.delete();
        continue;
      }
      const meta = { path: rel, isNotebook: false };
      const full = extractPythonFacts(parsed.tree, source, { ...meta, isTest: false });
      const outline = extractPythonFacts(parsed.tree, source, { ...meta, isTest: true });
      parsed.tree.delete();
      expect(outline).toEqual(withoutNonOutline({ ...full, isTest: true }));
      compared++;
      if (full.functions.length > 0 && full.calls.length > 0) withFunctions++;
    }
    expect(compared).toBeGreaterThan(50);
    expect(withFunctions).toBeGreaterThan(20);
  });

  it('keeps imports, functions with their classes and docstrings, classes with their bases', async () => {
    const parser = await loadPythonParser();
    const parsed = parsePython(parser, SNIPPET, Date.now() + 60_000);
    if (!parsed.ok) throw new Error('snippet did not parse');
    const facts = extractPythonFacts(parsed.tree, SNIPPET, {
      path: 'tests/test_x.py',
      isTest: true,
      isNotebook: false,
    });
    parsed.tree.delete();
    expect(facts.imports.map((i) => i.module)).toEqual(['os', 'crewai', 'langgraph.graph', 'local.module']);
    expect(facts.functions.map((f) => [f.name, f.cls, f.line, f.docstring])).toEqual([
      ['agent', null, 5, true],
      ['test_run', 'TestCrew', 11, false],
      ['method', 'Inner', 18, false],
      ['test_async', 'TestCrew', 19, false],
    ]);
    expect(facts.classes.map((c) => [c.name, c.bases.map((b) => b.qualified)])).toEqual([
      ['TestCrew', ['Base', 'mod.Other']],
      ['Inner', []],
    ]);
    expect(facts.calls).toEqual([]);
    expect(facts.envRefs).toEqual([]);
  });
});
