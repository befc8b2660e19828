/**
 * Benchmark of Phase 2 (issue #3). Build with `npm run build`, run `node dist/bench/scan.js`.
 *
 *   --repos N           generated local repositories through the real pipeline (default 1000)
 *   --overhead-jobs M   jobs through queue + worker + writer with no-op clone/scan (default 5000)
 *   --memory-jobs K     queued jobs for the Redis memory figure (default 10000)
 *   --workers W         worker slots (default 8)
 *   --clone-sample S    repositories cloned lean and plain for the bytes figure (default 30)
 *   --builtin-cli PATH  compiled built-in scanner (default dist/src/scanner/cli.js if present)
 *   --builtin-repos B   repositories scanned with the built-in scanner (default 300)
 *
 * Everything runs on loopback against a private redis-server on a free port (so memory
 * figures are this run's alone). Figures are printed and written to bench/out/scan.json.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { type Config, loadConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/logger.js';
import { projectRoot } from '../src/core/project-root.js';
import { createRedis } from '../src/core/redis.js';
import { recordResult } from '../src/core/run-counters.js';
import { enqueueManifest } from '../src/producer/enqueue/enqueue.js';
import { type Cloner, diskUsage, GitCloner } from '../src/workers/clone/cloner.js';
import { DEFAULT_SPARSE_PATTERNS } from '../src/workers/clone/sparse-patterns.js';
import type { JobTiming } from '../src/workers/job-data.js';
import { openScanQueue } from '../src/workers/queue.js';
import type { ScannerRunner } from '../src/workers/scan/scanner-runner.js';
import { builtInScannerCliPath } from '../src/workers/scan/scanner-runner.js';
import { startScanWorker } from '../src/workers/scan-worker.js';
import { ResultWriter } from '../src/workers/writer/result-writer.js';
import { GitRepoFactory, manifestRow, writeManifest } from '../test/support/git-repos.js';
import { GitHttpServer } from '../test/support/git-server.js';

function arg(name: string, def: number): number;
function arg(name: string, def: string): string;
function arg(name: string, def: number | string): number | string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || process.argv[i + 1] === undefined) return def;
  return typeof def === 'number' ? Number(process.argv[i + 1]) : (process.argv[i + 1] as string);
}

const N = arg('repos', 1000);
const M = arg('overhead-jobs', 5000);
const K = arg('memory-jobs', 10000);
const W = arg('workers', 8);
const S = arg('clone-sample', 30);
const BUILTIN = arg('builtin-cli', builtInScannerCliPath());
const B = arg('builtin-repos', 300);
const ROOT = projectRoot();
const TRIVIAL = path.join(ROOT, 'test', 'fixtures', 'scanners', 'trivial.mjs');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratum-bench-'));
const results: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

// ---------- repositories ----------
const py = (i: number) =>
  `from crewai import Agent, Crew\n\nagent_${i} = Agent(role="r${i}", goal="g", backstory="b")\n` +
  `crew_${i} = Crew(agents=[agent_${i}])\n\n\ndef run_${i}(x):\n    return crew_${i}.kickoff(inputs={"x": x})\n`.repeat(
    3,
  );
function codeFiles(n: number): Record<string, string> {
  const files: Record<string, string> = {
    'pyproject.toml': '[project]\nname = "bench"\ndependencies = ["crewai==0.80"]\n',
  };
  for (let i = 0; i < n; i++) files[`app/module_${i}.py`] = py(i);
  return files;
}
const TEMPLATES: Record<string, Record<string, string | Buffer>> = {
  'code-only': codeFiles(12),
  'code+assets': {
    ...codeFiles(12),
    'assets/architecture.png': randomBytes(120_000),
    'assets/screenshot.png': randomBytes(120_000),
    'data/sample.csv': Array.from({ length: 4000 }, (_, i) => `${i},${randomBytes(20).toString('hex')}`).join(
      '\n',
    ),
    'docs/paper.pdf': randomBytes(150_000),
  },
  'code+small-assets': {
    ...codeFiles(12),
    'assets/logo.png': randomBytes(40_000),
    'README.md': '# bench\n'.repeat(50),
  },
};

async function privateRedis(): Promise<{ url: string; stop: () => void }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dir = path.join(scratch, 'redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  probe.disconnect();
  return { url, stop: () => child.kill('SIGTERM') };
}

function benchConfig(
  redisUrl: string,
  prefix: string,
  extra: Partial<Record<keyof Config, unknown>> = {},
): Config {
  return loadConfig(
    {},
    {
      redisUrl,
      queuePrefix: prefix,
      allowLocalUrls: true,
      workDir: path.join(scratch, 'work'),
      dataDir: path.join(scratch, `data-${prefix}`),
      writerPollMs: 20,
      logLevel: 'silent',
      ...extra,
    },
  );
}

interface RunFigures {
  jobs: number;
  wallMs: number;
  perSecond: number;
  meanCloneMs: number;
  meanScanMs: number;
  meanJobMs: number;
  /** Worker-side time per job outside clone and scan (row check, workspace, validation). */
  workerOverheadMs: number;
  /** Wall time × slots / jobs minus the mean clone+scan time: everything else, queue included. */
  pipelineOverheadMs: number;
}

/** Enqueue → worker slots → single writer, timed; jobs' stage timings collected from the worker. */
async function runPipeline(
  config: Config,
  manifest: string,
  slots: number,
  replace: { cloner?: Cloner; scanner?: ScannerRunner } = {},
): Promise<RunFigures> {
  const redis = createRedis(config);
  const queue = openScanQueue(config, redis);
  rmSync(config.dataDir, { recursive: true, force: true });
  const writer = await ResultWriter.open({
    dataDir: config.dataDir,
    prefix: config.queuePrefix,
    redis,
    queue,
    logger: silentLogger,
    secrets: [],
    lockTtlMs: 30_000,
    batchSize: 500,
    runLogEvery: 1000,
  });
  const started = performance.now();
  const enq = await enqueueManifest(
    config,
    redis,
    queue,
    { manifestPath: manifest, dataDir: config.dataDir, resume: false },
    silentLogger,
  );
  const handle = await startScanWorker(config, {
    concurrency: slots,
    logger: silentLogger,
    secrets: [],
    ...replace,
  });
  const timings: JobTiming[] = [];
  handle.worker.on('completed', (_job, rv) => timings.push(rv.timing));
  await writer.runUntilComplete({ pollMs: 20 });
  const wallMs = performance.now() - started;
  await handle.close();
  await writer.close();
  await queue.close();
  redis.disconnect();
  const mean = (f: (t: JobTiming) => number) =>
    timings.reduce((a, t) => a + f(t), 0) / Math.max(1, timings.length);
  const clone = mean((t) => t.clone_ms);
  const scan = mean((t) => t.scan_ms);
  const job = mean((t) => t.job_ms);
  if (writer.writtenCount !== enq.manifestCount)
    throw new Error(`wrote ${writer.writtenCount} rows for ${enq.manifestCount} repos`);
  return {
    jobs: enq.manifestCount,
    wallMs: Math.round(wallMs),
    perSecond: round(enq.manifestCount / (wallMs / 1000)),
    meanCloneMs: round(clone),
    meanScanMs: round(scan),
    meanJobMs: round(job),
    workerOverheadMs: round(job - clone - scan),
    pipelineOverheadMs: round((wallMs * slots) / enq.manifestCount - clone - scan),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** A cloner that does nothing and a scanner that answers at once: only the pipeline is left. */
const noopCloner: Cloner = { clone: async () => ({ ok: true, durationMs: 0 }) };
function instantScanner(): ScannerRunner {
  return {
    description: 'instant',
    scan: async (r) => ({
      ok: true,
      exitCode: 0,
      durationMs: 0,
      stdout: JSON.stringify({
        scan_id: randomBytes(8).toString('hex'),
        timestamp: new Date().toISOString(),
        scanner_version: 'instant',
        repo_hash: 'bench',
        schema_id: 5,
        schema_version: '0.3.2',
        repo_full_name: r.repoFullName,
        repo_url: r.repoUrl,
        selection_stratum: '',
        scan_status: 'empty',
        scan_duration_ms: 0,
        files_scanned: 0,
        files_total: 0,
        parser_errors: 0,
        failure_reason: 'no_agents',
        risk_score: 0,
        finding_rule_count: 0,
        agent_count: 0,
        crew_count: 0,
        frameworks: [],
      }),
    }),
  };
}

async function usedMemory(url: string): Promise<number> {
  const r = new Redis(url);
  const info = await r.info('memory');
  r.disconnect();
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

async function main(): Promise<void> {
  const redisServer = await privateRedis();
  const factory = new GitRepoFactory(path.join(scratch, 'repos'));
  const server = await new GitHttpServer(factory.root).start();
  try {
    log(
      `bench: ${os.cpus().length} cpus, load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}, ${W} worker slots`,
    );
    for (const [name, files] of Object.entries(TEMPLATES)) factory.create(`tpl/${name}`, { files });

    // 1. Queue overhead: M jobs, no clone, no scanner process.
    {
      const manifest = path.join(scratch, 'overhead.jsonl');
      writeManifest(
        manifest,
        Array.from({ length: M }, (_, i) => manifestRow(`ovh/r${i}`, `https://github.com/ovh/r${i}`)),
      );
      const f = await runPipeline(benchConfig(redisServer.url, 'ovh'), manifest, W, {
        cloner: noopCloner,
        scanner: instantScanner(),
      });
      results.queueOverhead = { ...f, msPerJob: round(f.wallMs / f.jobs) };
      log(
        `queue overhead: ${f.jobs} jobs in ${f.wallMs} ms → ${round(f.wallMs / f.jobs)} ms/job wall (${f.perSecond} jobs/s), worker-side ${f.workerOverheadMs} ms/job`,
      );
    }

    // 2. Real pipeline: N local repositories, hardened lean clone over file://, trivial scanner.
    const templates = Object.keys(TEMPLATES);
    const names = Array.from({ length: N }, (_, i) => `gen/r${i}`);
    for (const [i, n] of names.entries()) factory.copy(`tpl/${templates[i % templates.length]}`, n);
    const manifest = path.join(scratch, 'repos.jsonl');
    writeManifest(
      manifest,
      names.map((n) => manifestRow(n, factory.fileUrl(n))),
    );
    {
      const f = await runPipeline(
        benchConfig(redisServer.url, 'triv', { scannerCommand: TRIVIAL }),
        manifest,
        W,
      );
      results.trivialScanner = f;
      log(
        `trivial scanner: ${f.jobs} repos in ${f.wallMs} ms → ${f.perSecond} repos/s; mean clone ${f.meanCloneMs} ms, ` +
          `scan ${f.meanScanMs} ms, job ${f.meanJobMs} ms; worker overhead ${f.workerOverheadMs} ms/job, pipeline overhead ${f.pipelineOverheadMs} ms/job`,
      );
    }

    // 3. The built-in scanner, when it is built.
    if (existsSync(BUILTIN)) {
      const m = path.join(scratch, 'builtin.jsonl');
      writeManifest(
        m,
        names.slice(0, B).map((n) => manifestRow(n, factory.fileUrl(n))),
      );
      const cfg = benchConfig(redisServer.url, 'builtin', { scannerCommand: '' });
      // The runner resolves the built-in scanner under this project; point it at the given CLI.
      const { ProcessScannerRunner } = await import('../src/workers/scan/scanner-runner.js');
      const scanner = new ProcessScannerRunner(
        { command: process.execPath, prefixArgs: [BUILTIN], description: 'built-in', requiredFile: BUILTIN },
        { timeoutMs: cfg.scanTimeoutMs, maxStdoutBytes: cfg.scanMaxOutputBytes },
      );
      const f = await runPipeline(cfg, m, W, { scanner });
      results.builtinScanner = { ...f, cli: BUILTIN };
      log(
        `built-in scanner: ${f.jobs} repos in ${f.wallMs} ms → ${f.perSecond} repos/s; mean clone ${f.meanCloneMs} ms, scan ${f.meanScanMs} ms; pipeline overhead ${f.pipelineOverheadMs} ms/job`,
      );
    } else {
      results.builtinScanner = { skipped: `not built: ${BUILTIN}` };
      log(`built-in scanner: skipped (${BUILTIN} not built)`);
    }

    // 4. Redis memory: K queued jobs, then the per-repository state left once all are written.
    {
      const cfg = benchConfig(redisServer.url, 'mem');
      const m = path.join(scratch, 'mem.jsonl');
      writeManifest(
        m,
        Array.from({ length: K }, (_, i) =>
          manifestRow(`memory-owner/repository-${i}`, `https://github.com/memory-owner/repository-${i}`),
        ),
      );
      const redis = createRedis(cfg);
      const queue = openScanQueue(cfg, redis);
      const before = await usedMemory(redisServer.url);
      await enqueueManifest(
        cfg,
        redis,
        queue,
        { manifestPath: m, dataDir: path.join(scratch, 'mem-data'), resume: false },
        silentLogger,
      );
      const queued = (await usedMemory(redisServer.url)) - before;
      await queue.obliterate({ force: true });
      const afterObliterate = await usedMemory(redisServer.url);
      for (let i = 0; i < K; i += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, K - i) }, (_, j) =>
            recordResult(redis, 'mem', {
              repoFullName: `memory-owner/repository-${i + j}`,
              status: 'success',
              failureReason: null,
              frameworks: ['CrewAI', 'LangChain'],
              riskScore: 50,
              durationMs: 1200,
              finishedAt: Date.now(),
            }),
          ),
        );
      }
      const written = (await usedMemory(redisServer.url)) - afterObliterate;
      await queue.close();
      redis.disconnect();
      const per10k = (b: number) => round(((b / K) * 10_000) / 1024 / 1024);
      results.redisMemory = {
        jobs: K,
        queuedBytes: queued,
        queuedMiBPer10k: per10k(queued),
        writtenStateBytes: written,
        writtenStateMiBPer10k: per10k(written),
      };
      log(
        `redis memory: ${K} queued jobs = ${per10k(queued)} MiB per 10k; after all are written and removed, per-repo state = ${per10k(written)} MiB per 10k`,
      );
    }

    // 5. Bytes fetched: lean (partial clone + sparse checkout) vs plain --depth 1, over smart HTTP.
    {
      const bytes: Record<string, { lean: number[]; plain: number[] }> = {};
      const lean = new GitCloner({
        allowLocalUrls: true,
        timeoutMs: 60_000,
        lean: true,
        sparsePatterns: DEFAULT_SPARSE_PATTERNS,
      });
      const plain = new GitCloner({
        allowLocalUrls: true,
        timeoutMs: 60_000,
        lean: false,
        sparsePatterns: [],
      });
      for (let i = 0; i < S; i++) {
        const name = names[i % names.length]!;
        const tpl = templates[i % templates.length]!;
        bytes[tpl] ??= { lean: [], plain: [] };
        for (const [kind, cloner] of [
          ['lean', lean],
          ['plain', plain],
        ] as const) {
          const dir = path.join(scratch, `clone-${kind}-${i}`);
          mkdirSync(dir);
          const r = await cloner.clone({ url: server.url(name), dir, maxBytes: 1e9 });
          if (!r.ok) throw new Error(`${kind} clone of ${name} failed: ${r.detail}`);
          bytes[tpl][kind].push(await diskUsage(path.join(dir, 'repo', '.git', 'objects')));
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const table: Record<string, unknown> = {};
      for (const [tpl, b] of Object.entries(bytes)) {
        const l = b.lean.reduce((a, x) => a + x, 0) / b.lean.length;
        const p = b.plain.reduce((a, x) => a + x, 0) / b.plain.length;
        table[tpl] = { leanBytes: Math.round(l), plainBytes: Math.round(p), ratio: round(l / p) };
        log(
          `clone bytes (${tpl}): lean ${Math.round(l / 1024)} KiB vs plain shallow ${Math.round(p / 1024)} KiB → ${Math.round((100 * l) / p)}%`,
        );
      }
      results.cloneBytes = table;
    }
  } finally {
    await server.stop();
    redisServer.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const out = path.join(ROOT, 'bench', 'out');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'scan.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`figures written to ${path.join(out, 'scan.json')}`);
}

await main();
process.exit(0);
