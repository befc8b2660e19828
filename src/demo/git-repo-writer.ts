import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BASE_CHILD_ENV, runProcess } from '../core/run-process.js';

const FIXED_IDENTITY = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'stratum',
  GIT_AUTHOR_EMAIL: 'stratum@example.invalid',
  GIT_COMMITTER_NAME: 'stratum',
  GIT_COMMITTER_EMAIL: 'stratum@example.invalid',
  // Fixed dates: the same files always give the same commit id.
  GIT_AUTHOR_DATE: '2025-07-01T12:00:00Z',
  GIT_COMMITTER_DATE: '2025-07-01T12:00:00Z',
};

async function git(args: string[], cwd: string): Promise<string> {
  const r = await runProcess('git', args, {
    cwd,
    timeoutMs: 60_000,
    env: { ...BASE_CHILD_ENV, ...FIXED_IDENTITY },
  });
  if (r.exitCode !== 0)
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderrTail || r.spawnError}`);
  return r.stdout.trim();
}

/** Replaces `dir` with a one-commit git repository holding `files`; returns the commit id. */
export async function writeGitRepo(
  dir: string,
  files: Record<string, string | Uint8Array>,
  message: string,
): Promise<string> {
  await fs.rm(dir, { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
  await git(['init', '-q', '-b', 'main'], dir);
  await git(['add', '-A'], dir);
  await git(['commit', '-q', '-m', message], dir);
  return git(['rev-parse', 'HEAD'], dir);
}
