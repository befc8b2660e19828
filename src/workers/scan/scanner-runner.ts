import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/config.js';
import { projectRoot } from '../../core/project-root.js';
import { BASE_CHILD_ENV, runProcess } from '../../core/run-process.js';

export interface ScanRequest {
  dir: string;
  repoFullName: string;
  repoUrl: string;
}

export type ScanOutcome =
  | { ok: true; stdout: string; exitCode: number | undefined; durationMs: number }
  | { ok: false; code: 'parse_timeout' | 'parse_crash' | 'invalid_json'; detail: string; durationMs: number };

/** The scan stage as an adapter (tests of the orchestration use a fake). */
export interface ScannerRunner {
  readonly description: string;
  scan(request: ScanRequest): Promise<ScanOutcome>;
}

export interface ScannerCommand {
  command: string;
  prefixArgs: string[];
  /** For logs and failure details. */
  description: string;
  /** The built-in scanner's compiled CLI, checked before each run (it may be built later). */
  requiredFile?: string;
  /** The built-in scanner (which also speaks the warm protocol), not STRATUM_SCANNER. */
  builtIn?: boolean;
}

/** Where the built-in scanner's compiled CLI lives (`dist/src/scanner/cli.js`). */
export function builtInScannerCliPath(): string {
  const root = projectRoot();
  // From dist/src/workers/scan the project root already is the package root; from src/ the
  // compiled file is under dist/.
  return path.join(root, 'dist', 'src', 'scanner', 'cli.js');
}

/** STRATUM_SCANNER when set, else `node <built-in cli>`, resolved at run time. */
export function resolveScannerCommand(config: Config): ScannerCommand {
  if (config.scannerCommand) {
    return {
      command: config.scannerCommand,
      prefixArgs: [],
      description: config.scannerCommand,
      builtIn: false,
    };
  }
  const cli = builtInScannerCliPath();
  return {
    command: process.execPath,
    prefixArgs: [cli],
    description: `built-in scanner (${cli})`,
    requiredFile: cli,
    builtIn: true,
  };
}

export interface ProcessScannerOptions {
  timeoutMs: number;
  maxStdoutBytes: number;
  signal?: AbortSignal;
}

/**
 * Runs `<scanner> scan <dir> --json --no-telemetry --repo-name X --repo-url Y` through the one
 * process runner: no shell, minimal environment, timeout and output cap that kill the whole
 * process group, stderr tail kept for the failure detail.
 */
export class ProcessScannerRunner implements ScannerRunner {
  readonly description: string;

  constructor(
    private readonly scanner: ScannerCommand,
    private readonly options: ProcessScannerOptions,
  ) {
    this.description = scanner.description;
  }

  async scan(request: ScanRequest): Promise<ScanOutcome> {
    if (this.scanner.requiredFile && !existsSync(this.scanner.requiredFile)) {
      return {
        ok: false,
        code: 'parse_crash',
        detail: `built-in scanner not found at ${this.scanner.requiredFile} (run npm run build, or set STRATUM_SCANNER)`,
        durationMs: 0,
      };
    }
    const args = [
      ...this.scanner.prefixArgs,
      'scan',
      request.dir,
      '--json',
      '--no-telemetry',
      '--repo-name',
      request.repoFullName,
      '--repo-url',
      request.repoUrl,
    ];
    const r = await runProcess(this.scanner.command, args, {
      cwd: request.dir,
      env: { ...BASE_CHILD_ENV },
      timeoutMs: this.options.timeoutMs,
      maxStdoutBytes: this.options.maxStdoutBytes,
      stderrTailBytes: 2048,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    const stderr = r.stderrTail.trim().split('\n').slice(-6).join(' | ');
    const withStderr = (s: string) => (stderr ? `${s}; stderr: ${stderr}` : s);
    if (r.spawnError)
      return {
        ok: false,
        code: 'parse_crash',
        detail: `scanner ${this.description} could not start: ${r.spawnError}`,
        durationMs: r.durationMs,
      };
    if (r.timedOut)
      return {
        ok: false,
        code: 'parse_timeout',
        detail: withStderr(`scanner killed after ${this.options.timeoutMs} ms`),
        durationMs: r.durationMs,
      };
    if (r.outputOverflow)
      return {
        ok: false,
        code: 'invalid_json',
        detail: `scanner printed more than ${this.options.maxStdoutBytes} bytes on stdout; killed`,
        durationMs: r.durationMs,
      };
    if (r.aborted)
      return {
        ok: false,
        code: 'parse_crash',
        detail: 'scanner cancelled (worker shutting down)',
        durationMs: r.durationMs,
      };
    const hasOutput = r.stdout.trim().length > 0;
    if (r.signal)
      return {
        ok: false,
        code: 'parse_crash',
        detail: withStderr(`scanner killed by ${r.signal}`),
        durationMs: r.durationMs,
      };
    if (r.exitCode !== 0 && !looksLikeJsonObject(r.stdout))
      return {
        ok: false,
        code: 'parse_crash',
        detail: withStderr(
          `scanner exited with code ${r.exitCode}${hasOutput ? ' and non-JSON output' : ' without output'}`,
        ),
        durationMs: r.durationMs,
      };
    return { ok: true, stdout: r.stdout, exitCode: r.exitCode, durationMs: r.durationMs };
  }
}

function looksLikeJsonObject(text: string): boolean {
  const t = text.trim();
  return t.startsWith('{') && t.endsWith('}');
}
