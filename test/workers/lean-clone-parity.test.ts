import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/run-process.js';
import { GitCloner } from '../../src/workers/clone/cloner.js';
import { DEFAULT_SPARSE_PATTERNS } from '../../src/workers/clone/sparse-patterns.js';
import { builtInScannerCliPath } from '../../src/workers/scan/scanner-runner.js';
import { GitRepoFactory } from '../support/git-repos.js';
import { tempDir } from '../support/tmp.js';

/**
 * The lean clone fetches only what the scanner reads. If a scanner change starts reading a
 * file the sparse patterns leave out, its ping on a lean clone would silently differ: this
 * suite scans the same repository cloned lean and cloned in full and compares.
 */
const SIGNAL_FILES: Record<string, string> = {
  'app/crew.py':
    'from crewai import Agent, Crew\nresearcher = Agent(role="r", goal="g", backstory="b")\nCrew(agents=[researcher])\n',
  'app/graph.py': 'from langgraph.graph import StateGraph\ng = StateGraph(dict)\napp = g.compile()\n',
  'notebooks/demo.ipynb': JSON.stringify({
    cells: [
      { cell_type: 'code', source: ['import langchain\n'], metadata: {}, outputs: [], execution_count: null },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  }),
  'tests/test_crew.py': 'def test_ok():\n    assert True\n',
  'config/agents.yaml': 'researcher:\n  role: r\n',
  'pyproject.toml': '[project]\nname = "x"\ndependencies = ["crewai==0.80.0", "langgraph>=0.2"]\n',
  'requirements-dev.in': 'pytest\n',
  Pipfile: '[packages]\ncrewai = "*"\n',
  'bun.lockb': 'lock',
  'mcp.json': '{"mcpServers": {"fs": {"command": "npx", "args": ["server-filesystem"]}}}',
  OAI_CONFIG_LIST: '[{"model": "gpt-4o"}]',
  'langgraph.json': '{"graphs": {"g": "./app/graph.py:app"}}',
  dockerfile: 'FROM python:3.12\n',
  Jenkinsfile: 'pipeline {}\n',
  '.buildkite/pipeline.yml': 'steps: []\n',
  '.env.example': 'OPENAI_API_KEY=\n',
  '.gitignore': '.env\n',
};

const repos = new GitRepoFactory();
const work = tempDir('stratum-parity');
const CLI = builtInScannerCliPath();

beforeAll(() => {
  repos.create('parity/repo', {
    files: {
      ...SIGNAL_FILES,
      'assets/diagram.png': randomBytes(300_000),
      'data/train.csv': randomBytes(200_000).toString('hex'),
      'docs/guide.md': '# guide\n',
    },
  });
});

afterAll(() => {
  repos.cleanup();
  work.cleanup();
});

async function cloneAndScan(lean: boolean): Promise<Record<string, unknown>> {
  const dir = path.join(work.dir, lean ? 'lean' : 'full');
  mkdirSync(dir);
  const cloner = new GitCloner({
    allowLocalUrls: true,
    timeoutMs: 30_000,
    lean,
    sparsePatterns: DEFAULT_SPARSE_PATTERNS,
  });
  const r = await cloner.clone({ url: repos.fileUrl('parity/repo'), dir, maxBytes: 1e9 });
  expect(r.ok).toBe(true);
  const repo = path.join(dir, 'repo');
  const scan = await runProcess(
    process.execPath,
    [
      CLI,
      'scan',
      repo,
      '--json',
      '--no-telemetry',
      '--repo-name',
      'parity/repo',
      '--repo-url',
      'https://github.com/parity/repo',
    ],
    { timeoutMs: 60_000 },
  );
  expect(scan.exitCode, scan.stderrTail).toBe(0);
  const ping = JSON.parse(scan.stdout) as Record<string, unknown>;
  for (const volatile of ['scan_id', 'timestamp', 'scan_duration_ms']) delete ping[volatile];
  return ping;
}

describe('lean clone parity with a full clone', () => {
  it('checks out every file whose name or content the scanner uses, and no assets', async () => {
    const dir = path.join(work.dir, 'files');
    mkdirSync(dir);
    const cloner = new GitCloner({
      allowLocalUrls: true,
      timeoutMs: 30_000,
      lean: true,
      sparsePatterns: DEFAULT_SPARSE_PATTERNS,
    });
    expect((await cloner.clone({ url: repos.fileUrl('parity/repo'), dir, maxBytes: 1e9 })).ok).toBe(true);
    for (const f of Object.keys(SIGNAL_FILES)) expect(existsSync(path.join(dir, 'repo', f)), f).toBe(true);
    expect(readdirSync(path.join(dir, 'repo'))).not.toContain('assets');
    expect(readdirSync(path.join(dir, 'repo'))).not.toContain('data');
  });

  it('the built-in scanner gives the same ping on both', async () => {
    const lean = await cloneAndScan(true);
    const full = await cloneAndScan(false);
    const differing = Object.keys({ ...lean, ...full }).filter(
      (k) => JSON.stringify(lean[k]) !== JSON.stringify(full[k]),
    );
    expect(differing, JSON.stringify(differing.map((k) => [k, lean[k], full[k]]))).toEqual([]);
    expect(lean.scan_status).toBe('success');
  });
});
