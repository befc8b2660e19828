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

describe('every git wording maps to its reason', () => {
  // One message per pattern, each matched by no other pattern, so each pattern is checked alone.
  it.each([
    ["fatal: repository 'https://github.com/a/b/' not found", 'clone_404', false],
    ['remote: Repository not found.', 'clone_404', false],
    ["fatal: '/srv/a/b.git' does not appear to be a git repository", 'clone_404', false],
    ['fatal: remote error: access denied or repository not exported: /a/b.git', 'clone_404', false],
    ['fatal: HTTP 410 curl 22', 'clone_404', false],
    ['fatal: HTTP 451', 'clone_404', false],
    ['The requested URL returned error: 404', 'clone_404', false],
    ['The requested URL returned error: 451', 'clone_404', false],
    [
      "fatal: could not read Username for 'https://github.com': No such device or address",
      'clone_404',
      false,
    ],
    ['fatal: could not read Password: terminal prompts disabled', 'clone_404', false],
    ["fatal: Authentication failed for 'https://github.com/a/b/'", 'clone_404', false],
    ['The requested URL returned error: 429', 'clone_rate_limited', true],
    ['remote: secondary rate limit', 'clone_rate_limited', true],
    ['remote: Too Many Requests', 'clone_rate_limited', true],
    ['The requested URL returned error: 503', 'clone_error', true],
    ['error: HTTP 500 curl 22', 'clone_error', true],
    ['Could not resolve host: github.com', 'clone_error', true],
    ['Connection refused', 'clone_error', true],
    ['Connection reset by peer', 'clone_error', true],
    ['Connection timed out', 'clone_error', true],
    ["Failed to connect to github.com port 443 after 3 ms: Couldn't connect to server", 'clone_error', true],
    ['fatal: early EOF', 'clone_error', true],
    ['error: RPC failed; curl 56 GnuTLS recv error', 'clone_error', true],
    ['fatal: the remote end hung up unexpectedly', 'clone_error', true],
    ['Operation timed out after 300000 milliseconds', 'clone_error', true],
    ["fatal: unable to access 'https://github.com/a/b/': SSL certificate problem", 'clone_error', true],
    [
      'error: 1234 bytes of body are still expected; transfer closed with outstanding read data',
      'clone_error',
      true,
    ],
    ['fatal: index-pack failed', 'clone_error', true],
    ['HTTP 4044 is no status', 'clone_error', false],
    ['returned error: 5000 is no status', 'clone_error', false],
    ['fatal: not a valid object name', 'clone_error', false],
  ])('%s → %s (transient %s)', (stderr, code, transient) => {
    expect(classifyGitFailure(failed(stderr), 'clone')).toMatchObject({ code, transient });
  });

  it.each([
    'fatal: remote error: upload-pack: not our ref ' + 'f'.repeat(40),
    'error: Server does not allow request for unadvertised object ' + 'f'.repeat(40),
    "fatal: couldn't find remote ref " + 'f'.repeat(40),
    'fatal: no such remote ref ' + 'f'.repeat(40),
  ])('a fetch of a commit the remote lacks (%s) → commit_missing, naming the commit', (stderr) => {
    const commit = 'f'.repeat(40);
    expect(classifyGitFailure(failed(stderr), 'fetch', commit)).toEqual({
      code: 'commit_missing',
      transient: false,
      detail: `commit ${commit} (the manifest's head_sha) is not on the remote any more (force-pushed away or deleted): git fetch failed (exit 128): ${stderr}`,
    });
    // Without a commit fetched by id, the same words are an ordinary permanent error.
    expect(classifyGitFailure(failed(stderr), 'clone')).toMatchObject({
      code: 'clone_error',
      transient: false,
    });
  });

  it("the detail names the step, the exit code (or signal) and git's last four lines", () => {
    const stderr = ['one', 'two', 'three', 'four', 'five', 'fatal: six', ''].join('\n');
    expect(classifyGitFailure(failed(stderr), 'checkout').detail).toBe(
      'git checkout failed (exit 128): three | four | five | fatal: six',
    );
    expect(
      classifyGitFailure(failed('killed', { exitCode: undefined, signal: 'SIGKILL' }), 'clone').detail,
    ).toBe('git clone failed (exit SIGKILL): killed');
  });

  it('git that cannot start is a permanent clone_error saying why; a timeout names the step', () => {
    expect(
      classifyGitFailure(failed('', { exitCode: undefined, spawnError: 'spawn git ENOENT' }), 'clone'),
    ).toEqual({ code: 'clone_error', transient: false, detail: 'git could not start: spawn git ENOENT' });
    expect(classifyGitFailure(failed('', { timedOut: true }), 'fetch').detail).toBe('git fetch timed out');
  });
});
