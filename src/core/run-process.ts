import { execa } from 'execa';

/**
 * The one way this project runs a child process (git, the scanner): array arguments, no
 * shell, an explicit minimal environment, a timeout that kills the whole process group,
 * capped output, and a result value instead of a thrown error.
 *
 * execa 9 only signals the direct child; git spawns helpers (remote-https, index-pack) that
 * would survive, so the child runs in its own process group and the group is killed.
 */
export interface RunOptions {
  cwd?: string;
  /** The complete environment of the child: nothing is inherited (no tokens leak). */
  env?: Record<string, string>;
  timeoutMs: number;
  /** stdout beyond this many bytes kills the process and sets `outputOverflow`. */
  maxStdoutBytes?: number;
  /** Only the tail of stderr is kept. */
  stderrTailBytes?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  command: string;
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderrTail: string;
  timedOut: boolean;
  outputOverflow: boolean;
  aborted: boolean;
  /** The process could not be started at all (ENOENT, EACCES…). */
  spawnError: string | undefined;
  durationMs: number;
}

const liveGroups = new Set<number>();

/** Kills every process group still running (used by graceful shutdown). */
export function killAllProcessGroups(signal: NodeJS.Signals = 'SIGKILL'): number {
  let n = 0;
  for (const pgid of liveGroups) {
    if (killGroup(pgid, signal)) n++;
  }
  return n;
}

/**
 * A long-lived child started elsewhere (the warm scanner) joins the groups killed at shutdown;
 * it leaves with `forgetProcessGroup` once it has exited.
 */
export function trackProcessGroup(pgid: number): void {
  liveGroups.add(pgid);
}

export function forgetProcessGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export const BASE_CHILD_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
  HOME: process.env.HOME ?? '/tmp',
});

export async function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const started = performance.now();
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  const tailBytes = options.stderrTailBytes ?? 4096;
  let timedOut = false;
  let aborted = false;
  let outputOverflow = false;
  let stdoutBytes = 0;
  const stdoutChunks: Buffer[] = [];
  let stderrTail = Buffer.alloc(0);

  const child = execa(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? { ...BASE_CHILD_ENV },
    extendEnv: false,
    shell: false,
    detached: true,
    cleanup: false,
    reject: false,
    stdin: 'ignore',
    buffer: false,
    encoding: 'buffer',
  });
  const pgid = child.pid;
  if (pgid !== undefined) liveGroups.add(pgid);

  const stop = (why: 'timeout' | 'abort' | 'overflow') => {
    if (why === 'timeout') timedOut = true;
    if (why === 'abort') aborted = true;
    if (why === 'overflow') outputOverflow = true;
    if (pgid !== undefined) killGroup(pgid, 'SIGKILL');
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  child.stdout?.on('data', (chunk: Buffer) => {
    if (outputOverflow) return;
    stdoutBytes += chunk.length;
    if (stdoutBytes > maxStdout) {
      stop('overflow');
      return;
    }
    stdoutChunks.push(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = Buffer.concat([stderrTail, chunk]);
    if (stderrTail.length > tailBytes * 2) stderrTail = stderrTail.subarray(stderrTail.length - tailBytes);
  });

  const result = await child;
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  if (pgid !== undefined) {
    // Reap helpers that outlived the group leader.
    killGroup(pgid, 'SIGKILL');
    liveGroups.delete(pgid);
  }
  const spawnError =
    result.failed && result.exitCode === undefined && !result.signal && !timedOut && !aborted
      ? (result.originalMessage ?? result.shortMessage)
      : undefined;
  return {
    command: [command, ...args].join(' '),
    exitCode: result.exitCode,
    signal: result.signal ?? undefined,
    stdout: Buffer.concat(stdoutChunks).toString('utf8'),
    stderrTail: stderrTail.subarray(Math.max(0, stderrTail.length - tailBytes)).toString('utf8'),
    timedOut,
    outputOverflow,
    aborted,
    spawnError,
    durationMs: Math.round(performance.now() - started),
  };
}
