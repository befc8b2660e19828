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
  /** Check out exactly this commit (40 hex, shallow fetch by id); absent = the default branch head. */
  commit?: string;
  /** Extra `-c` pairs for every git step (the host's pinned addresses). */
  gitConfig?: readonly string[];
}

export type CloneOutcome =
  /** `commit`: the commit checked out (`git rev-parse HEAD`); a stand-in cloner may not know it. */
  { ok: true; durationMs: number; commit?: string } | ({ ok: false; durationMs: number } & CloneFailure);

interface GitStep {
  name: string;
  args: string[];
}

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
    const steps = request.commit
      ? this.commitSteps(cfg, request.url, target, request.commit)
      : this.branchSteps(cfg, request.url, target);
    steps.push({ name: 'rev-parse', args: [...cfg, '-C', target, 'rev-parse', '--verify', 'HEAD^{commit}'] });
    // Stryker disable next-line StringLiteral: always overwritten: rev-parse is the last step, and every step must succeed to get past the loop
    let head = '';
    for (const step of steps) {
      const remaining = deadline - Date.now();
      // Stryker disable next-line EqualityOperator: with exactly 0 ms left, runProcess's 0 ms timer stops git at once: the same clone_timeout naming the step
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
        return {
          ok: false,
          durationMs: elapsed(),
          ...classifyGitFailure(result, step.name, step.name === 'fetch' ? request.commit : undefined),
        };
      // Stryker disable next-line ConditionalExpression: rev-parse is the last step, so the last stdout kept is its own
      if (step.name === 'rev-parse') head = result.stdout.trim();
    }
    if (!/^[0-9a-f]{40}$/.test(head) || (request.commit !== undefined && head !== request.commit))
      return {
        ok: false,
        durationMs: elapsed(),
        code: 'clone_error',
        transient: false,
        detail: `checked out ${JSON.stringify(head.slice(0, 64))}, not the commit asked for (${request.commit ?? 'the default branch head'})`,
      };
    return { ok: true, durationMs: elapsed(), commit: head };
  }

  /** The default branch head: shallow single-branch clone (lean: blobs only for the sparse patterns). */
  private branchSteps(cfg: string[], url: string, target: string): GitStep[] {
    const steps: GitStep[] = [
      {
        name: 'clone',
        args: [
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
          url,
          target,
        ],
      },
    ];
    if (this.options.lean)
      steps.push(this.sparseStep(cfg, target), {
        name: 'checkout',
        args: [...cfg, '-C', target, 'checkout', '--quiet'],
      });
    return steps;
  }

  /**
   * Exactly one commit: an empty repository, a shallow fetch of the commit by id (GitHub serves
   * any reachable commit: uploadpack.allowReachableSHA1InWant), a detached checkout. The remote
   * is named so that a lean fetch records it as the promisor the sparse checkout lazily reads.
   */
  private commitSteps(cfg: string[], url: string, target: string, commit: string): GitStep[] {
    const lean = this.options.lean;
    return [
      { name: 'init', args: [...cfg, 'init', '--quiet', '--', target] },
      { name: 'remote', args: [...cfg, '-C', target, 'remote', 'add', 'origin', '--', url] },
      {
        name: 'fetch',
        args: [
          ...cfg,
          '-C',
          target,
          'fetch',
          '--quiet',
          '--depth=1',
          '--no-tags',
          '--no-recurse-submodules',
          ...(lean ? ['--filter=blob:none'] : []),
          'origin',
          commit,
        ],
      },
      ...(lean ? [this.sparseStep(cfg, target)] : []),
      { name: 'checkout', args: [...cfg, '-C', target, 'checkout', '--quiet', '--detach', 'FETCH_HEAD'] },
    ];
  }

  private sparseStep(cfg: string[], target: string): GitStep {
    return {
      name: 'sparse-checkout',
      args: [...cfg, '-C', target, 'sparse-checkout', 'set', '--no-cone', ...this.options.sparsePatterns],
    };
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
    // A signal aborted before this step (between two steps) fires no event: stop at once.
    if (outer?.aborted) abort.abort();
    let tooLarge = false;
    let measuring = false;
    const timer = setInterval(async () => {
      if (measuring) return;
      // Stryker disable next-line BooleanLiteral: the flag only keeps two walks of the directory from overlapping; either sees the same bytes
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
