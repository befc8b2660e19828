/**
 * Scale benchmark (issue #6 §2). Build with `npm run build`, then
 *
 *   node dist/bench/e2e/scale.js --jobs 50000 --processes 1,2,4 --concurrency 8
 *
 *   --jobs N          manifest rows (default 50000); repositories are reused across rows
 *   --processes LIST  worker-process counts, one run each (default 1,2,4)
 *   --concurrency C   job slots per worker process (default 8)
 *   --templates T     distinct repositories behind the rows (default 20)
 *
 * Each run: a private redis-server (AOF everysec, noeviction) on a free loopback port, the
 * real `enqueue` and `writer --exit-when-done` CLIs as processes, and P worker processes
 * (`scale-worker.js`: the real BullMQ worker with the in-process stand-in cloner/scanner).
 * Sampled every 500 ms: Redis used_memory and each process's RSS. Afterwards the result
 * files are read back: every manifest repository must be there exactly once.
 * Figures are printed and written to bench/out/scale.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../src/core/project-root.js';
import { manifestRow } from '../../test/support/git-repos.js';
import { startRedisServer } from '../../test/support/redis-server.js';
import { writeStandInTemplates } from './stand-in.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : def;
}

const JOBS = Number(arg('jobs', '50000'));
const PROCESSES = arg('processes', '1,2,4').split(',').map(Number);
const CONCURRENCY = Number(arg('concurrency', '8'));
const TEMPLATES = Number(arg('templates', '20'));
const ROOT = projectRoot();
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const WORKER = path.join(ROOT, 'dist', 'bench', 'e2e', 'scale-worker.js');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratum-scale-'));
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const MiB = 1024 * 1024;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function writeManifestFile(file: string, templates: string[]): void {
  const rows: string[] = [];
  for (let i = 0; i < JOBS; i++) {
    const url = pathToFileURL(templates[i % templates.length]!).href;
    rows.push(JSON.stringify(manifestRow(`scale-org/repo-${i}`, url)));
  }
  writeFileSync(file, `${rows.join('\n')}\n`);
}

function rssKb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

interface Proc {
  label: string;
  child: ChildProcess;
  peakRssKb: number;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

function launch(label: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = {
    label,
    child,
    peakRssKb: 0,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (d) => {
    p.stdout += d;
  });
  child.stderr?.on('data', (d) => {
    p.stderr = (p.stderr + d).slice(-8000);
  });
  return p;
}

async function readNames(file: string, names: Map<string, number>): Promise<number> {
  if (!existsSync(file)) return 0;
  let lines = 0;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (!line) continue;
    lines++;
    const row = JSON.parse(line) as { repo_full_name?: string; ping?: { repo_full_name?: string } };
    const name = row.repo_full_name ?? row.ping?.repo_full_name ?? '';
    names.set(name, (names.get(name) ?? 0) + 1);
  }
  return lines;
}

async function runOnce(processes: number, manifest: string) {
  const runDir = path.join(scratch, `run-p${processes}`);
  const dataDir = path.join(runDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const redis = await startRedisServer({ dir: path.join(runDir, 'redis'), appendonly: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    REDIS_URL: redis.url,
    STRATUM_QUEUE_PREFIX: 'scale',
    STRATUM_DATA_DIR: dataDir,
    STRATUM_WORK_DIR: path.join(runDir, 'work'),
    STRATUM_ALLOW_LOCAL_URLS: '1',
    STRATUM_LOG_LEVEL: 'warn',
    STRATUM_WRITER_POLL_MS: '50',
  };
  const client = redis.client();
  let peakRedis = 0;
  const procs: Proc[] = [];
  const sample = async () => {
    const info = await client.info('memory').catch(() => '');
    peakRedis = Math.max(peakRedis, Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0));
    for (const p of procs) p.peakRssKb = Math.max(p.peakRssKb, rssKb(p.child.pid));
  };
  const sampler = setInterval(() => void sample(), 500);
  const started = performance.now();
  const workers = Array.from({ length: processes }, (_, i) =>
    launch(`worker-${i + 1}`, [WORKER, String(CONCURRENCY)], env),
  );
  procs.push(...workers);
  const writer = launch('writer', [CLI, 'writer', '--exit-when-done'], env);
  const enqueue = launch('enqueue', [CLI, 'enqueue', '--manifest', manifest], env);
  procs.push(writer, enqueue);
  const abandon = async (why: string): Promise<never> => {
    clearInterval(sampler);
    for (const p of procs) p.child.kill('SIGKILL');
    client.disconnect();
    await redis.stop('SIGKILL');
    throw new Error(why);
  };
  const enqueueCode = await enqueue.exit;
  const enqueueMs = performance.now() - started;
  if (enqueueCode !== 0) await abandon(`enqueue exited ${enqueueCode}: ${enqueue.stderr}`);
  const writerCode = await writer.exit;
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  await sample();
  if (writerCode !== 0) await abandon(`writer exited ${writerCode}: ${writer.stderr}`);
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exit));
  const standIn = workers
    .map((w) => w.stdout.split('\n').find((l) => l.includes('"jobs"')))
    .filter((l): l is string => Boolean(l))
    .map((l) => JSON.parse(l) as { jobs: number; cloneMs: number; scanMs: number });
  const jobsSeen = standIn.reduce((s, t) => s + t.jobs, 0);
  const cloneMs = standIn.reduce((s, t) => s + t.cloneMs, 0);
  const scanMs = standIn.reduce((s, t) => s + t.scanMs, 0);
  const infoPeak = Number(/^used_memory_peak:(\d+)/m.exec(await client.info('memory'))?.[1] ?? 0);
  client.disconnect();
  await redis.stop();

  const names = new Map<string, number>();
  const resultsFile = path.join(dataDir, 'scan_results.jsonl');
  const quarantineFile = path.join(dataDir, 'quarantine.jsonl');
  const resultLines = await readNames(resultsFile, names);
  const quarantineLines = await readNames(quarantineFile, names);
  let missing = 0;
  for (let i = 0; i < JOBS; i++) if (!names.has(`scale-org/repo-${i}`)) missing++;
  const duplicated = [...names.values()].filter((n) => n > 1).length;
  const slots = processes * CONCURRENCY;
  const figure = {
    processes,
    slotsPerProcess: CONCURRENCY,
    jobs: JOBS,
    wallS: round(wallMs / 1000, 1),
    enqueueS: round(enqueueMs / 1000, 1),
    jobsPerSecond: round(JOBS / (wallMs / 1000), 1),
    wallMsPerJob: round(wallMs / JOBS, 3),
    meanStandInCloneMs: round(cloneMs / Math.max(1, jobsSeen)),
    meanStandInScanMs: round(scanMs / Math.max(1, jobsSeen)),
    /** Slot-time per job not spent in the stand-in clone or scan: queue, Redis, validation, writer. */
    pipelineOverheadMsPerJob: round((wallMs * slots) / JOBS - (cloneMs + scanMs) / Math.max(1, jobsSeen)),
    peakRedisMiB: round(Math.max(peakRedis, infoPeak) / MiB),
    peakRssMiB: Object.fromEntries(procs.map((p) => [p.label, round(p.peakRssKb / 1024, 1)])),
    resultsMiB: round(existsSync(resultsFile) ? statSync(resultsFile).size / MiB : 0),
    quarantineMiB: round(existsSync(quarantineFile) ? statSync(quarantineFile).size / MiB : 0),
    resultLines,
    quarantineLines,
    distinctRepos: names.size,
    missing,
    duplicated,
    exactlyOnce: missing === 0 && duplicated === 0 && resultLines + quarantineLines === JOBS,
    loadavgAfter: os.loadavg().map((x) => round(x, 1)),
  };
  rmSync(runDir, { recursive: true, force: true });
  return figure;
}

async function main(): Promise<void> {
  if (!existsSync(CLI) || !existsSync(WORKER)) throw new Error('run npm run build first');
  const templates = writeStandInTemplates(path.join(scratch, 'templates'), TEMPLATES);
  const manifest = path.join(scratch, 'repo_manifest.jsonl');
  writeManifestFile(manifest, templates);
  log(
    `scale: ${JOBS} rows over ${TEMPLATES} repositories; processes ${PROCESSES.join(',')} × ${CONCURRENCY} slots; ` +
      `${os.cpus().length} cores, load ${os
        .loadavg()
        .map((x) => round(x, 1))
        .join(' ')}; ${new Date().toISOString()}`,
  );
  const figures = [];
  for (const p of PROCESSES) {
    const f = await runOnce(p, manifest);
    figures.push(f);
    log(JSON.stringify(f));
  }
  const out = path.join(ROOT, 'bench', 'out');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, 'scale.json'),
    `${JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, figures }, null, 2)}\n`,
  );
  rmSync(scratch, { recursive: true, force: true });
  if (figures.some((f) => !f.exactlyOnce)) {
    log('FAILED: a run lost or duplicated a repository');
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
});
