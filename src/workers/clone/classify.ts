import type { RunResult } from '../../core/run-process.js';

export type CloneFailureCode = 'clone_404' | 'clone_timeout' | 'clone_rate_limited' | 'clone_error';

export interface CloneFailure {
  code: CloneFailureCode | 'too_large' | 'commit_missing';
  /** Worth another attempt (network, 5xx, rate limit, timeout); a 404 is not. */
  transient: boolean;
  detail: string;
}

const NOT_FOUND = [
  /repository '.*' not found/i,
  /Repository not found/i,
  /does not appear to be a git repository/i,
  /not exported/i,
  /HTTP (?:404|410|451)\b/,
  /returned error: (?:404|410|451)\b/,
  /could not read Username/i,
  /terminal prompts disabled/i,
  /Authentication failed/i,
];
/** What upload-pack answers when asked for a commit it does not have (force-pushed away, gc'd). */
const COMMIT_MISSING = [
  /not our ref/i,
  /unadvertised object/i,
  /couldn't find remote ref/i,
  /no such remote ref/i,
];
const RATE_LIMITED = [/\b429\b/, /rate limit/i, /too many requests/i];
const TRANSIENT = [
  /returned error: 5\d\d\b/,
  /HTTP 5\d\d\b/,
  /Could not resolve host/i,
  /Connection (?:refused|reset|timed out)/i,
  /Failed to connect/i,
  /early EOF/i,
  /RPC failed/i,
  /remote end hung up/i,
  /Operation timed out/i,
  /unable to access/i,
  /transfer closed/i,
  /index-pack failed/i,
];

/**
 * Maps a failed git run to a failure code and whether it is worth retrying. `commit` is the
 * commit the step fetched by id, when it did: a remote that no longer has it is commit_missing.
 */
export function classifyGitFailure(result: RunResult, step: string, commit?: string): CloneFailure {
  const tail = result.stderrTail.trim().split('\n').slice(-4).join(' | ');
  if (result.timedOut) return { code: 'clone_timeout', transient: true, detail: `git ${step} timed out` };
  if (result.spawnError)
    return { code: 'clone_error', transient: false, detail: `git could not start: ${result.spawnError}` };
  const text = result.stderrTail;
  const detail = `git ${step} failed (exit ${result.exitCode ?? result.signal}): ${tail}`;
  if (commit !== undefined && COMMIT_MISSING.some((re) => re.test(text)))
    return {
      code: 'commit_missing',
      transient: false,
      detail: `commit ${commit} (the manifest's head_sha) is not on the remote any more (force-pushed away or deleted): ${detail}`,
    };
  if (RATE_LIMITED.some((re) => re.test(text)))
    return { code: 'clone_rate_limited', transient: true, detail };
  if (NOT_FOUND.some((re) => re.test(text))) return { code: 'clone_404', transient: false, detail };
  if (TRANSIENT.some((re) => re.test(text))) return { code: 'clone_error', transient: true, detail };
  return { code: 'clone_error', transient: false, detail };
}
