import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

/**
 * What the test suite needs from the machine. A missing one fails the run at once with the
 * command that installs it, instead of a test skipping (a skip reads as "fine" in a summary).
 */
export const DEBIAN_INSTALL = 'apt-get install -y git redis-server chromium';

export interface Prerequisite {
  name: string;
  /** Test files that need it (substring of the path); undefined: every test file. */
  neededBy?: string[];
  /** undefined when present; otherwise what is missing and how to get it. */
  missing(): Promise<string | undefined>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function redisAnswers(port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString('latin1').startsWith('+PONG')));
  });
}

function newestMtime(dir: string): { file: string; ms: number } {
  let newest = { file: dir, ms: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const ms = statSync(file).mtimeMs;
    if (ms > newest.ms) newest = { file, ms };
  }
  return newest;
}

/** The compiled files the suite runs as child processes and worker threads. */
export const BUILD_OUTPUTS = ['dist/src/cli.js', 'dist/src/scanner/scanner-bundle.cjs'];

export const PREREQUISITES: Prerequisite[] = [
  {
    name: 'Node.js 20+',
    async missing() {
      const major = Number(process.versions.node.split('.')[0]);
      return major >= 20
        ? undefined
        : `Node.js ${process.versions.node} is too old: install Node.js 20 or newer`;
    },
  },
  {
    name: 'git',
    async missing() {
      return onPath('git') ? undefined : `git is not on PATH: ${DEBIAN_INSTALL}`;
    },
  },
  {
    name: 'redis-server',
    async missing() {
      return onPath('redis-server') ? undefined : `redis-server is not on PATH: ${DEBIAN_INSTALL}`;
    },
  },
  {
    name: 'Redis on 127.0.0.1:6379',
    async missing() {
      return (await redisAnswers(6379))
        ? undefined
        : 'nothing answers PING on 127.0.0.1:6379: start it with ' +
            '`redis-server --daemonize yes --bind 127.0.0.1 --save ""` (.ci/run does this)';
    },
  },
  {
    name: 'the build (dist/)',
    async missing() {
      const absent = BUILD_OUTPUTS.filter((f) => !existsSync(path.join(ROOT, f)));
      if (absent.length > 0)
        return `${absent.join(', ')} missing: run \`npm run build\` (npm test does it first)`;
      const built = Math.min(...BUILD_OUTPUTS.map((f) => statSync(path.join(ROOT, f)).mtimeMs));
      const newest = newestMtime(path.join(ROOT, 'src'));
      return newest.ms > built
        ? `dist/ is older than ${path.relative(ROOT, newest.file)}: run \`npm run build\` (npm test does it first)`
        : undefined;
    },
  },
  {
    name: 'chromium',
    neededBy: ['test/dashboard/browser.test.ts'],
    async missing() {
      return existsSync('/usr/bin/chromium') ? undefined : `/usr/bin/chromium not found: ${DEBIAN_INSTALL}`;
    },
  },
  {
    name: 'root (mounts a small tmpfs to fill the disk)',
    neededBy: ['test/e2e/process-faults.e2e.test.ts'],
    async missing() {
      return process.getuid?.() === 0
        ? undefined
        : 'the disk-full test mounts a tmpfs and needs root: run the suite as root (as .ci/run does in the CI container)';
    },
  },
  {
    name: 'root and iproute2 (creates network namespaces)',
    neededBy: ['test/e2e/netns.e2e.test.ts'],
    async missing() {
      if (process.getuid?.() !== 0)
        return 'the network-namespace test creates namespaces and needs root: run the suite as root (as .ci/run does)';
      return onPath('ip') ? undefined : '`ip` is not on PATH: apt-get install -y iproute2';
    },
  },
  {
    name: 'strace',
    neededBy: ['test/core/atomic-write.test.ts'],
    async missing() {
      return onPath('strace') ? undefined : 'strace is not on PATH: apt-get install -y strace';
    },
  },
  {
    name: 'openssl',
    neededBy: ['test/e2e/redis-tls.e2e.test.ts'],
    async missing() {
      return onPath('openssl') ? undefined : 'openssl is not on PATH: apt-get install -y openssl';
    },
  },
];

/** Does this run include a file the prerequisite is needed by? No filters: the whole suite. */
export function neededInRun(prerequisite: Prerequisite, filters: readonly string[]): boolean {
  if (!prerequisite.neededBy || filters.length === 0) return true;
  const relative = filters.map((f) => (path.isAbsolute(f) ? path.relative(ROOT, f) : f));
  return prerequisite.neededBy.some((file) => relative.some((filter) => file.includes(filter)));
}

export async function missingPrerequisites(filters: readonly string[]): Promise<string[]> {
  const needed = PREREQUISITES.filter((p) => neededInRun(p, filters));
  const results = await Promise.all(needed.map(async (p) => [p.name, await p.missing()] as const));
  return results.filter(([, why]) => why !== undefined).map(([name, why]) => `${name}: ${why}`);
}
