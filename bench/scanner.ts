/**
 * Benchmark of the built-in scanner (`npm run build && node dist/bench/scanner.js`).
 *
 * Generates a seeded corpus of agent repositories (default 220, sizes from 5 to 5,000 files),
 * scans each one with the compiled CLI as a child process (so start-up is included, as in the
 * worker), and prints files/s, MB/s, median and p95 per-repo time, peak RSS, the process
 * start-up cost, the raw WASM parse speed, and one 50,000-file repository under the budget.
 *
 *   node dist/bench/scanner.js [--repos N] [--keep]
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../src/core/random.js';
import { runProcess } from '../src/core/run-process.js';
import { scannerCliPath } from '../src/scanner/index.js';
import { extractPythonFacts } from '../src/scanner/parse/python-facts.js';
import { loadPythonParser, parsePython } from '../src/scanner/parse/python-parser.js';

const args = process.argv.slice(2);
const repoCount = Number(args[args.indexOf('--repos') + 1]) || 220;
const keep = args.includes('--keep');
const root = path.join(os.tmpdir(), `stratum-bench-${process.pid}`);
const cli = scannerCliPath();

const rand = mulberry32(20261125);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const AGENT_FILES: readonly string[] = [
  `from crewai import Agent, Crew, Task\nfrom crewai_tools import SerperDevTool\nsearch = SerperDevTool()\na = Agent(role="a", goal="g", backstory="b", tools=[search])\nb = Agent(role="b", goal="g", backstory="b", allow_delegation=True)\ncrew = Crew(agents=[a, b], tasks=[Task(description="d", expected_output="o", agent=a)])\n`,
  `from langgraph.graph import StateGraph, START, END\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o")\ndef node(state):\n    return {"x": llm.invoke(state["q"]).content}\ng = StateGraph(dict)\ng.add_node("n", node)\ng.add_edge(START, "n")\napp = g.compile()\n`,
  `import autogen\nassistant = autogen.AssistantAgent("a", llm_config={"model": "gpt-4"})\nuser = autogen.UserProxyAgent("u", human_input_mode="NEVER")\nchat = autogen.GroupChat(agents=[assistant, user], messages=[], max_round=5)\n`,
  `from smolagents import CodeAgent, DuckDuckGoSearchTool, InferenceClientModel\nagent = CodeAgent(tools=[DuckDuckGoSearchTool()], model=InferenceClientModel())\n`,
  `from agno.agent import Agent\nfrom agno.tools.duckduckgo import DuckDuckGoTools\nagent = Agent(tools=[DuckDuckGoTools()])\n`,
  `from pydantic_ai import Agent\nagent = Agent("openai:gpt-4o")\n@agent.tool_plain\ndef lookup(q: str) -> str:\n    return q\n`,
];

function fillerModule(i: number): string {
  const lines = [
    `"""Module ${i}: helpers."""`,
    'import json',
    'import os',
    'from dataclasses import dataclass',
    '',
  ];
  for (let f = 0; f < 6 + Math.floor(rand() * 10); f++) {
    lines.push(`def helper_${i}_${f}(items, limit=10):`);
    lines.push('    """Filter and transform items."""');
    lines.push('    out = []');
    lines.push('    for item in items[:limit]:');
    lines.push('        if isinstance(item, dict) and item.get("ok"):');
    lines.push('            out.append({k: v for k, v in item.items() if k != "secret"})');
    lines.push('    try:');
    lines.push(`        return json.dumps(out, indent=${f % 4})`);
    lines.push('    except (TypeError, ValueError):');
    lines.push('        return os.environ.get("FALLBACK", "[]")');
    lines.push('');
  }
  lines.push('@dataclass', `class Record${i}:`, '    name: str', '    value: int = 0', '');
  return lines.join('\n');
}

function sizeFor(i: number): number {
  if (i === 0) return 5000;
  if (i % 50 === 1) return 1000 + Math.floor(rand() * 4000);
  if (i % 10 === 2) return 300 + Math.floor(rand() * 700);
  return 5 + Math.floor(rand() * 150);
}

function generateRepo(dir: string, files: number): { files: number; bytes: number } {
  let bytes = 0;
  const made = new Set<string>();
  const write = (rel: string, content: string) => {
    const abs = path.join(dir, rel);
    const parent = path.dirname(abs);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(abs, content);
    bytes += Buffer.byteLength(content);
  };
  write('app/agent.py', pick(AGENT_FILES));
  write('requirements.txt', 'crewai==0.80.0\nlanggraph>=0.2\n');
  write('config/agents.yaml', 'a:\n  role: A\n  llm: gpt-4o-mini\n');
  let written = 3;
  for (let i = 0; written < files; i++, written++) {
    if (i % 40 === 39)
      write(`docs/readme_${i}.md`, '# notes\n'); // not a candidate
    else write(`app/pkg${Math.floor(i / 50)}/mod_${i}.py`, fillerModule(i));
  }
  return { files, bytes };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function timed(
  argv: string[],
): Promise<{ ms: number; cpuMs: number | null; rssKb: number | null; stdout: string }> {
  const useTime = statSync('/usr/bin/time', { throwIfNoEntry: false }) !== undefined;
  const [cmd, cmdArgs] = useTime
    ? ['/usr/bin/time', ['-f', 'RSSKB=%M CPU=%U+%S', 'node', ...argv]]
    : ['node', argv];
  const r = await runProcess(cmd as string, cmdArgs as string[], { timeoutMs: 600_000 });
  const rss = /RSSKB=(\d+)/.exec(r.stderrTail)?.[1];
  const cpu = /CPU=([\d.]+)\+([\d.]+)/.exec(r.stderrTail);
  const cpuMs = cpu ? Math.round((Number(cpu[1]) + Number(cpu[2])) * 1000) : null;
  return { ms: r.durationMs, cpuMs, rssKb: rss ? Number(rss) : null, stdout: r.stdout };
}

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true });
  console.log(`scanner benchmark: ${repoCount} generated repositories in ${root}`);
  console.log(`node ${process.version}, ${os.cpus().length} CPU(s), CLI ${cli}\n`);

  // 1. Start-up: the bare CLI, then a scan of an empty directory (adds the WASM grammar load).
  const empty = path.join(root, 'empty');
  mkdirSync(empty, { recursive: true });
  const startups: number[] = [];
  const emptyScans: number[] = [];
  for (let i = 0; i < 5; i++) {
    startups.push((await timed([cli, '--version'])).ms);
    emptyScans.push((await timed([cli, 'scan', empty, '--json'])).ms);
  }
  startups.sort((a, b) => a - b);
  emptyScans.sort((a, b) => a - b);

  // 2. WASM parse speed, in process.
  const parser = await loadPythonParser();
  const sample = Array.from({ length: 200 }, (_, i) => fillerModule(i)).join('\n');
  const sampleBytes = Buffer.byteLength(sample);
  for (let i = 0; i < 3; i++) parsePython(parser, sample, Date.now() + 60_000); // warm-up
  let t0 = performance.now();
  const rounds = 10;
  let parseOnly = 0;
  let extract = 0;
  for (let i = 0; i < rounds; i++) {
    t0 = performance.now();
    const out = parsePython(parser, sample, Date.now() + 60_000);
    parseOnly += performance.now() - t0;
    if (!out.ok) throw new Error('bench sample failed to parse');
    t0 = performance.now();
    extractPythonFacts(out.tree, sample, { path: 'x.py', isTest: false, isNotebook: false });
    extract += performance.now() - t0;
    out.tree.delete();
  }
  const mb = (sampleBytes * rounds) / 1e6;

  // 3. The corpus, one CLI process per repository.
  const perRepo: {
    files: number;
    bytes: number;
    ms: number;
    cpuMs: number | null;
    rssKb: number | null;
    status: string;
  }[] = [];
  for (let i = 0; i < repoCount; i++) {
    const dir = path.join(root, `repo-${i}`);
    const gen = generateRepo(dir, sizeFor(i));
    const r = await timed([cli, 'scan', dir, '--json', '--no-telemetry', '--repo-name', `bench/r${i}`]);
    const ping = JSON.parse(r.stdout) as { scan_status: string };
    perRepo.push({ ...gen, ms: r.ms, cpuMs: r.cpuMs, rssKb: r.rssKb, status: ping.scan_status });
    if (!keep) rmSync(dir, { recursive: true, force: true });
    if ((i + 1) % 50 === 0) console.log(`  … ${i + 1}/${repoCount} repositories`);
  }
  const times = perRepo.map((r) => r.ms).sort((a, b) => a - b);
  const typical = perRepo
    .filter((r) => r.files <= 300)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const totalFiles = perRepo.reduce((s, r) => s + r.files, 0);
  const totalMb = perRepo.reduce((s, r) => s + r.bytes, 0) / 1e6;
  const totalSec = perRepo.reduce((s, r) => s + r.ms, 0) / 1000;
  const peakRss = Math.max(0, ...perRepo.map((r) => r.rssKb ?? 0));
  const biggest = perRepo.reduce((a, b) => (b.files > a.files ? b : a));

  const f1 = (n: number) => n.toFixed(1);
  console.log('\n| measure | value |');
  console.log('|---|---|');
  console.log(`| process start-up (\`--version\`, median of 5) | ${startups[2]} ms |`);
  console.log(`| empty-directory scan incl. WASM grammar load (median of 5) | ${emptyScans[2]} ms |`);
  console.log(`| WASM parse speed (tree-sitter-python 0.25, warm) | ${f1(mb / (parseOnly / 1000))} MB/s |`);
  console.log(`| fact extraction over the tree | ${f1(mb / (extract / 1000))} MB/s |`);
  console.log(`| repositories | ${perRepo.length} (${totalFiles} files, ${f1(totalMb)} MB) |`);
  console.log(
    `| throughput incl. process start | ${Math.round(totalFiles / totalSec)} files/s, ${f1(totalMb / totalSec)} MB/s |`,
  );
  console.log(
    `| per-repo time, all: median / p95 / max | ${percentile(times, 50)} / ${percentile(times, 95)} / ${times[times.length - 1]} ms |`,
  );
  console.log(
    `| per-repo time, typical (≤ 300 files, n=${typical.length}): median / p95 | ${percentile(typical, 50)} / ${percentile(typical, 95)} ms |`,
  );
  console.log(
    `| largest corpus repo (${biggest.files} files) | ${biggest.ms} ms, ${Math.round((biggest.rssKb ?? 0) / 1024)} MB RSS |`,
  );
  console.log(`| peak RSS over the corpus | ${Math.round(peakRss / 1024)} MB |`);
  console.log(`| statuses | ${[...new Set(perRepo.map((r) => r.status))].join(', ')} |`);
  const typicalCpu = perRepo
    .filter((r) => r.files <= 300 && r.cpuMs !== null)
    .map((r) => r.cpuMs as number)
    .sort((a, b) => a - b);
  const emptyCpu = (await timed([cli, 'scan', empty, '--json'])).cpuMs;
  console.log(
    `| per-repo CPU time (user+sys), typical: median / p95 | ${percentile(typicalCpu, 50)} / ${percentile(typicalCpu, 95)} ms (empty scan: ${emptyCpu} ms) |`,
  );
  console.log(
    `| load average during the run (1/5/15 min) | ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')} |`,
  );
  // 4. A 50,000-file repository under the default budget.
  const hugeDir = path.join(root, 'huge');
  const hugeGen = generateRepo(hugeDir, 50_000);
  const huge = await timed([cli, 'scan', hugeDir, '--json', '--time-budget-ms', '60000']);
  const hugePing = JSON.parse(huge.stdout) as {
    scan_status: string;
    files_total: number;
    files_scanned: number;
  };
  if (!keep) rmSync(root, { recursive: true, force: true });

  console.log(
    `| 50,000-file repository (${f1(hugeGen.bytes / 1e6)} MB) | ${huge.ms} ms, ${Math.round((huge.rssKb ?? 0) / 1024)} MB RSS, ${hugePing.scan_status}, ${hugePing.files_scanned}/${hugePing.files_total} files |`,
  );
}

await main();
