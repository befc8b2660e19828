import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/core/run-process.js';
import { classifyGitFailure } from '../../src/workers/clone/classify.js';

function failed(stderr: string, extra: Partial<RunResult> = {}): RunResult {
  return {
    command: 'git clone',
    exitCode: 128,
    signal: undefined,
    stdout: '',
    stderrTail: stderr,
    timedOut: false,
    outputOverflow: false,
    aborted: false,
    spawnError: undefined,
    durationMs: 10,
    ...extra,
  };
}

describe('git failure classification (GitHub wording)', () => {
  it.each([
    [
      "remote: Repository not found.\nfatal: repository 'https://github.com/a/b/' not found",
      'clone_404',
      false,
    ],
    [
      "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
      'clone_404',
      false,
    ],
    [
      "fatal: unable to access 'https://github.com/a/b/': The requested URL returned error: 429",
      'clone_rate_limited',
      true,
    ],
    ['remote: API rate limit exceeded', 'clone_rate_limited', true],
    [
      "fatal: unable to access 'https://github.com/a/b/': The requested URL returned error: 502",
      'clone_error',
      true,
    ],
    [
      "fatal: unable to access 'https://github.com/a/b/': Could not resolve host: github.com",
      'clone_error',
      true,
    ],
    ['error: RPC failed; curl 56 GnuTLS recv error (-9)\nfatal: early EOF', 'clone_error', true],
    ['fatal: destination path exists and is not an empty directory', 'clone_error', false],
  ])('%s → %s (transient %s)', (stderr, code, transient) => {
    expect(classifyGitFailure(failed(stderr), 'clone')).toMatchObject({ code, transient });
  });

  it('a timeout is clone_timeout, whatever git printed', () => {
    expect(
      classifyGitFailure(
        failed('remote: Counting objects', { timedOut: true, exitCode: undefined }),
        'clone',
      ),
    ).toMatchObject({
      code: 'clone_timeout',
      transient: true,
    });
  });
});
