import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { projectRoot } from '../../src/core/project-root.js';
import type { PlannedMember, PopulationMember } from '../../src/demo/population.js';
import type { FakeRepo } from './fake-github/index.js';
import { sha1 } from './fake-github/population.js';
import { GitHttpServer } from './git-server.js';

/**
 * Glue for end-to-end runs (test/e2e and bench/e2e): a `planPopulation` population served
 * over the loopback git server, the same population as the fake GitHub API's repositories
 * (their URLs pointing at that server), a strata file that finds exactly them, and the built
 * CLI run as a child process with its output captured.
 */
export const CLI = path.join(projectRoot(), 'dist', 'src', 'cli.js');

/** The search keyword of a stratum: a word no other repository text contains. */
export function stratumKeyword(stratum: string): string {
  return `e2ex${stratum.replace(/[^a-z0-9]/g, '')}x`;
}

const FIXED_TIME = '1751371200 +0000'; // 2025-07-01T12:00:00Z: the same files give the same commits

/**
 * Writes the planned population as bare repositories `<serveRoot>/<owner>/<name>.git` and
 * serves them over the loopback git server (missing members get none: the server answers 404).
 * One `git fast-import` writes every member's commit into a shared object store, each
 * distinct file content once (template files repeat across members); each member is then a
 * bare repository of four small files whose objects/info/alternates points at that store.
 * That is a few seconds for hundreds of repositories, where a working tree + init/add/commit
 * per repository took minutes on a loaded 2-core machine. Partial clone is allowed, as on
 * GitHub. The returned members' `dir` is their bare repository.
 */
export async function servePopulation(
  planned: readonly PlannedMember[],
  serveRoot: string,
): Promise<{ server: GitHttpServer; members: PopulationMember[] }> {
  const store = path.join(serveRoot, '.objects-store.git');
  mkdirSync(store, { recursive: true });
  await gitIn(store, ['init', '--quiet', '--bare', '--template=']);
  const present = planned.filter((p) => p.files !== undefined);
  await gitIn(store, ['fast-import', '--quiet', '--done'], fastImportStream(present));
  const heads = new Map<string, string>();
  const refs = await gitIn(store, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/']);
  for (const line of refs.split('\n').filter(Boolean)) {
    const [ref, sha] = line.split(' ') as [string, string];
    heads.set(ref.slice('refs/heads/'.length), sha);
  }
  const members: PopulationMember[] = [];
  present.forEach((p, i) => {
    const bare = path.join(serveRoot, `${p.member.fullName}.git`);
    for (const d of ['objects/info', 'objects/pack', 'refs/heads', 'refs/tags'])
      mkdirSync(path.join(bare, d), { recursive: true });
    writeFileSync(path.join(bare, 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(path.join(bare, 'config'), '[core]\n\trepositoryformatversion = 0\n\tbare = true\n');
    writeFileSync(path.join(bare, 'refs', 'heads', 'main'), `${heads.get(`m${i}`)}\n`);
    writeFileSync(path.join(bare, 'objects', 'info', 'alternates'), `${path.join(store, 'objects')}\n`);
  });
  const headOf = new Map(present.map((p, i) => [p.member.fullName, heads.get(`m${i}`) as string]));
  for (const p of planned)
    members.push(
      p.files
        ? {
            ...p.member,
            dir: path.join(serveRoot, `${p.member.fullName}.git`),
            headSha: headOf.get(p.member.fullName) as string,
          }
        : p.member,
    );
  if (heads.size !== present.length)
    throw new Error(`fast-import wrote ${heads.size} branches for ${present.length} repositories`);
  const server = new GitHttpServer(serveRoot);
  server.serverConfig = {
    'uploadpack.allowFilter': 'true',
    'uploadpack.allowAnySHA1InWant': 'true',
    'safe.directory': '*',
  };
  return { server: await server.start(), members };
}

/** The fast-import input: each distinct blob once, then one commit per member on branch m<i>. */
function* fastImportStream(present: readonly PlannedMember[]): Generator<Buffer> {
  const marks = new Map<string, number>();
  let next = 1;
  const header = (text: string) => Buffer.from(text);
  for (const [i, p] of present.entries()) {
    const entries: string[] = [];
    for (const [rel, content] of Object.entries(p.files ?? {})) {
      const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
      const key = createHash('sha1').update(bytes).digest('hex');
      let mark = marks.get(key);
      if (mark === undefined) {
        mark = next++;
        marks.set(key, mark);
        yield header(`blob\nmark :${mark}\ndata ${bytes.length}\n`);
        yield bytes;
        yield header('\n');
      }
      // As on disk: a template path such as `./x.py` is the file `x.py`.
      entries.push(`M 100644 :${mark} ${path.posix.normalize(rel)}\n`);
    }
    const message = Buffer.from(path.basename(p.member.dir));
    yield header(
      `commit refs/heads/m${i}\nauthor stratum <stratum@example.invalid> ${FIXED_TIME}\n` +
        `committer stratum <stratum@example.invalid> ${FIXED_TIME}\ndata ${message.length}\n`,
    );
    yield message;
    yield header(`\n${entries.join('')}\n`);
  }
  yield header('done\n');
}

/** Runs git in `cwd` with a fixed, config-free environment; `input` is streamed to its stdin. */
function gitIn(cwd: string, args: string[], input?: Iterable<Buffer>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
      },
      stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`git ${args[0]} exited ${code}: ${stderr}`)),
    );
    if (input && child.stdin) {
      const stdin = child.stdin;
      stdin.on('error', () => undefined); // the exit code reports the failure
      pipeline(Readable.from(input), stdin).catch(() => undefined);
    }
  });
}

/** The population as fake GitHub repositories: public, not forks, one search keyword per stratum. */
export function fakeReposFor(members: readonly PopulationMember[]): FakeRepo[] {
  const base = Date.parse('2025-03-01T00:00:00Z');
  return members.map((m, i) => {
    const [owner, name] = m.fullName.split('/') as [string, string];
    const description = `agent demo ${stratumKeyword(m.stratum)} ${m.variant}`;
    return {
      nodeId: Buffer.from(`010:Repository${900_000 + i}`).toString('base64'),
      databaseId: 900_000 + i,
      owner,
      ownerType: 'Organization',
      name,
      fullName: m.fullName,
      description,
      topics: [],
      createdAt: base + i * 3_600_000,
      pushedAt: base + i * 3_600_000 + 86_400_000,
      stars: 1 + (i % 50),
      forks: 0,
      diskUsageKb: m.variant === 'junk-assets' ? 1024 : 16,
      language: 'Python',
      languageBytes: [['Python', 4096]],
      license: 'MIT',
      isFork: false,
      parent: null,
      isArchived: false,
      isMirror: false,
      defaultBranch: 'main',
      // A served repository's real commit (the worker fetches exactly it); a missing one, any id.
      headSha: m.headSha ?? sha1(`${m.fullName}@head`),
      searchText: `${name} ${description}`.toLowerCase(),
    };
  });
}

/** A strata file with one stratum per population stratum, targets above their sizes. */
export function writeStrataFile(file: string, members: readonly PopulationMember[]): string[] {
  const strata = [...new Set(members.map((m) => m.stratum))].sort();
  const body = strata
    .map((s) => `  - name: ${s}\n    target: ${members.length}\n    queries:\n      - ${stratumKeyword(s)}\n`)
    .join('\n');
  writeFileSync(file, `seed: 7\ninclude_forks: true\nstrata:\n${body}`);
  return strata;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `stratum-pipeline <args>` with exactly `env` (no inherited variables); bounded by `timeoutMs`. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 240_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(
        new Error(
          `stratum-pipeline ${args[0]} did not finish in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Every key under `prefix` with its value, whatever its type (for secret and payload checks). */
export async function dumpRedis(
  redis: import('ioredis').Redis,
  prefix: string,
): Promise<Array<{ key: string; value: string }>> {
  const out: Array<{ key: string; value: string }> = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      else value = `<${type}>`;
      out.push({ key, value: JSON.stringify(value) });
    }
  } while (cursor !== '0');
  return out;
}
