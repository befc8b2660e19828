/**
 * `npm run build`, after the bundle: runs one scan of a small generated repository with the
 * bundle and saves V8's code cache of it (`scanner-bundle.cjs.cache`, read by bundle-loader.ts),
 * then checks that a plain `node` accepts it. The scan runs in a child process whose environment
 * has no NODE_OPTIONS, so the cache is built with the V8 flags the worker's scanner runs with.
 *
 *   node dist/src/scanner/build-code-cache.js
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHE_FILE, loadScannerBundle } from './bundle-loader.js';
import { chooseWasmTier } from './wasm-tier.js';

/** What a typical agent repository holds, so the scan runs the usual code paths. */
const WARM_UP_FILES: Record<string, string> = {
  'app/crew.py': [
    'import os',
    'from crewai import Agent, Crew, Task',
    'from crewai_tools import SerperDevTool',
    'from langchain_openai import ChatOpenAI',
    'llm = ChatOpenAI(model="gpt-4o", temperature=0)',
    'search = SerperDevTool()',
    'a = Agent(role="a", goal="g", backstory="b", tools=[search], llm=llm)',
    'b = Agent(role="b", goal="g", backstory="b", allow_delegation=True)',
    'crew = Crew(agents=[a, b], tasks=[Task(description="d", expected_output="o", agent=a)])',
    'def run(topic: str) -> str:',
    '    """Runs the crew."""',
    '    try:',
    '        return crew.kickoff(inputs={"topic": topic, "key": os.getenv("API_KEY", "")})',
    '    except Exception:',
    '        pass',
    '',
  ].join('\n'),
  'app/graph.py': [
    'from langgraph.graph import StateGraph, START, END',
    'from langgraph.checkpoint.memory import MemorySaver',
    'from langchain_core.tools import tool',
    'from .crew import llm',
    '@tool',
    'def lookup(q: str) -> str:',
    '    """Looks something up."""',
    '    return q',
    'def node(state):',
    '    while True:',
    '        return {"x": llm.bind_tools([lookup]).invoke(state["q"]).content}',
    'g = StateGraph(dict)',
    'g.add_node("n", node)',
    'g.add_edge(START, "n")',
    'g.add_edge("n", END)',
    'app = g.compile(checkpointer=MemorySaver())',
    '',
  ].join('\n'),
  'app/util.py': 'import json\n\ndef helper(items, limit=10):\n    return json.dumps(items[:limit])\n',
  'requirements.txt': 'crewai==0.80.0\nlanggraph>=0.2\nlangchain-openai\n',
  'pyproject.toml': '[project]\nname = "warm-up"\ndependencies = ["crewai>=0.80"]\n',
  'config/agents.yaml': 'a:\n  role: A\n  llm: gpt-4o-mini\n',
  '.env.example': 'OPENAI_API_KEY=\n',
  '.gitignore': '.env\n',
  Dockerfile: 'FROM python:3.12-slim\n',
  '.mcp.json':
    '{"mcpServers": {"fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem@1.0.0"]}}}\n',
};

async function writeCache(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-code-cache-'));
  try {
    for (const [rel, text] of Object.entries(WARM_UP_FILES)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    const argv = ['scan', dir, '--json', '--no-telemetry'];
    if (!chooseWasmTier(argv)) throw new Error('the warm-up repository should count as small');
    const bundle = loadScannerBundle(false);
    if (bundle === null) throw new Error('no current scanner-bundle.cjs: run the bundle step first');
    let stdout = '';
    const exit = await bundle.main(argv, {
      stdout: (s) => (stdout += s),
      stderr: (s) => process.stderr.write(s),
    });
    const status = exit === 0 ? (JSON.parse(stdout) as { scan_status?: string }).scan_status : undefined;
    if (status !== 'success') throw new Error(`warm-up scan: exit ${exit}, status ${status}`);
    const tmp = `${CODE_CACHE_FILE}.${process.pid}.tmp`;
    writeFileSync(tmp, bundle.script.createCachedData());
    renameSync(tmp, CODE_CACHE_FILE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads the bundle as a small repository's scan would, and says what V8 made of the cache. */
function checkCache(): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-code-cache-'));
  try {
    chooseWasmTier(['scan', dir]);
    process.stdout.write(loadScannerBundle(true)?.codeCache ?? 'no bundle');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mode = process.argv[2];
if (mode === '--write') await writeCache();
else if (mode === '--check') checkCache();
else {
  const self = fileURLToPath(import.meta.url);
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  execFileSync(process.execPath, [self, '--write'], { env, stdio: 'inherit' });
  const state = execFileSync(process.execPath, [self, '--check'], { env, encoding: 'utf8' });
  if (state !== 'accepted') {
    // Not fatal (the scanner compiles from source then), but the build should say so.
    rmSync(CODE_CACHE_FILE, { force: true });
    process.stderr.write(`warning: V8 did not accept the scanner's code cache (${state}); removed it\n`);
  }
}
