import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/core/project-root.js';
import type { PopulationMember } from '../../src/demo/population.js';
import type { FakeRepo } from './fake-github/index.js';
import { sha1 } from './fake-github/population.js';
import { GitHttpServer } from './git-server.js';

/**
 * Glue for end-to-end runs (test/e2e and bench/e2e): a `buildPopulation` population served
 * over the loopback git server, the same population as the fake GitHub API's repositories
 * (their URLs pointing at that server), a strata file that finds exactly them, and the built
 * CLI run as a child process with its output captured.
 */
export const CLI = path.join(projectRoot(), 'dist', 'src', 'cli.js');

/** The search keyword of a stratum: a word no other repository text contains. */
export function stratumKeyword(stratum: string): string {
  return `e2ex${stratum.replace(/[^a-z0-9]/g, '')}x`;
}

/**
 * Serves every member's working repository as `/<owner>/<name>.git` (symlinks to its `.git`;
 * missing members get none, so the server answers 404). Partial clone is allowed, as on GitHub.
 */
export async function servePopulation(
  members: readonly PopulationMember[],
  serveRoot: string,
): Promise<GitHttpServer> {
  for (const m of members) {
    if (m.expect === 'clone_404') continue;
    const link = path.join(serveRoot, `${m.fullName}.git`);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(m.dir, '.git'), link);
  }
  const server = new GitHttpServer(serveRoot);
  server.serverConfig = {
    'uploadpack.allowFilter': 'true',
    'uploadpack.allowAnySHA1InWant': 'true',
    'safe.directory': '*',
  };
  return server.start();
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
      headSha: sha1(`${m.fullName}@head`),
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
