import { promises as fs } from 'node:fs';
import path from 'node:path';
import { type RunResult, runProcess } from '../../core/run-process.js';
import { type CloneFailure, classifyGitFailure } from './classify.js';
import { gitConfigArgs, gitEnv } from './git-command.js';

export interface CloneRequest {
  url: string;
  /** An empty directory that the clone is made in; the caller removes it. */
  dir: string;
  /** Bytes on disk beyond which the clone is stopped as too_large. */
  maxBytes: number;
  /** Extra `-c` pairs for every git step (the host's pinned addresses). */
  gitConfig?: readonly string[];
}

export type CloneOutcome =
  | { ok: true; durationMs: number }
  | ({ ok: false; durationMs: number } & CloneFailure);

/** The clone stage as an adapter, so job orchestration can be tested with a fake. */
export interface Cloner {
  clone(request: CloneRequest): Promise<CloneOutcome>;
}

export interface GitClonerOptions {
  allowLocalUrls: boolean;
  timeoutMs: number;
  /** Partial clone + sparse checkout of `sparsePatterns`; false = plain shallow clone. */
  lean: boolean;
  sparsePatterns: readonly string[];
  /** How often disk use is measured while git runs. */
  sizeCheckIntervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Hardened, lean clone: shallow, single branch, no tags, no submodules, `--` before the URL;
 * with `lean`, blobs are fetched only for files matching the scanner's patterns (the full
 * file list stays in the index for `git ls-files`). One timeout covers all git steps, and a
 * watchdog stops a clone whose bytes on disk exceed the size limit (a manifest can lie).
 */
export class GitCloner implements Cloner {
  constructor(private readonly options: GitClonerOptions) {}

  async clone(request: CloneRequest): Promise<CloneOutcome> {
    const started = performance.now();
    const deadline = Date.now() + this.options.timeoutMs;
    const elapsed = () => Math.round(performance.now() - started);
    const cfg = [
      ...gitConfigArgs(this.options.allowLocalUrls),
      ...(request.gitConfig ?? []).flatMap((pair) => ['-c', pair]),
    ];
    const target = path.join(request.dir, 'repo');
    const cloneArgs = [
      ...cfg,
      'clone',
      '--quiet',
      '--depth=1',
      '--single-branch',
      '--no-tags',
      '--no-recurse-submodules',
      '-c',
      'core.symlinks=false',
      ...(this.options.lean ? ['--filter=blob:none', '--no-checkout'] : []),
      '--',
      request.url,
      target,
    ];
    const steps: Array<{ name: string; args: string[] }> = [{ name: 'clone', args: cloneArgs }];
    if (this.options.lean) {
      steps.push(
        {
          name: 'sparse-checkout',
          args: [...cfg, '-C', target, 'sparse-checkout', 'set', '--no-cone', ...this.options.sparsePatterns],
        },
        { name: 'checkout', args: [...cfg, '-C', target, 'checkout', '--quiet'] },
      );
    }
    for (const step of steps) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        return {
          ok: false,
          durationMs: elapsed(),
          code: 'clone_timeout',
          transient: true,
          detail: `git ${step.name} timed out`,
        };
      const { result, tooLarge } = await this.runWatched(step.args, request, remaining);
      if (tooLarge)
        return {
          ok: false,
          durationMs: elapsed(),
          code: 'too_large',
          transient: false,
          detail: `clone exceeded ${Math.round(request.maxBytes / 1024)} KB on disk during git ${step.name}`,
        };
      if (result.aborted)
        return {
          ok: false,
          durationMs: elapsed(),
          code: 'clone_error',
          transient: true,
          detail: `git ${step.name} was cancelled`,
        };
      if (result.exitCode !== 0 || result.timedOut || result.spawnError)
        return { ok: false, durationMs: elapsed(), ...classifyGitFailure(result, step.name) };
    }
    return { ok: true, durationMs: elapsed() };
  }

  private async runWatched(
    args: string[],
    request: CloneRequest,
    timeoutMs: number,
  ): Promise<{ result: RunResult; tooLarge: boolean }> {
    const abort = new AbortController();
    const outer = this.options.signal;
    const onOuter = () => abort.abort();
    outer?.addEventListener('abort', onOuter, { once: true });
    let tooLarge = false;
    let measuring = false;
    const timer = setInterval(async () => {
      if (measuring) return;
      measuring = true;
      try {
        if ((await diskUsage(request.dir)) > request.maxBytes) {
          tooLarge = true;
          abort.abort();
        }
      } finally {
        measuring = false;
      }
    }, this.options.sizeCheckIntervalMs ?? 250);
    try {
      const result = await runProcess('git', args, {
        env: gitEnv(this.options.allowLocalUrls),
        cwd: request.dir,
        timeoutMs,
        signal: abort.signal,
        maxStdoutBytes: 1024 * 1024,
      });
      if (!tooLarge && result.exitCode === 0 && (await diskUsage(request.dir)) > request.maxBytes)
        tooLarge = true;
      return { result, tooLarge };
    } finally {
      clearInterval(timer);
      outer?.removeEventListener('abort', onOuter);
    }
  }
}

/** Bytes of regular files under a directory (symlinks not followed). Missing entries count 0. */
export async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await diskUsage(p);
    else if (e.isFile()) {
      try {
        total += (await fs.lstat(p)).size;
      } catch {
        // removed while measuring (git renames temp packs)
      }
    }
  }
  return total;
}
