import type { Command } from 'commander';
import { CommandError } from '../../core/command.js';
import { FAILURE_CODES } from '../../core/contract/index.js';

/** The command-line flags that choose which rows already on disk are scanned again. */
export interface RescanFlags {
  resume?: boolean;
  rescanChanged?: boolean;
  retryFailed?: boolean;
  reason?: string[];
}

/** `--resume`, `--rescan-changed`, `--retry-failed`, `--reason` (scan and enqueue share them). */
export function addRescanOptions(command: Command): Command {
  return command
    .option(
      '--resume',
      'skip repositories whose row has the same identity (repository × commit × scanner version)',
    )
    .option(
      '--rescan-changed',
      'rescan the rows whose commit or scanner version changed, replacing them atomically (implies --resume)',
    )
    .option(
      '--retry-failed',
      'rescan failed rows whose cause may pass (clone_timeout, clone_rate_limited, worker_exception, parse_timeout), replacing them (implies --resume)',
    )
    .option(
      '--reason <code...>',
      'with --retry-failed: retry the failed rows with these failure reasons instead',
    );
}

/** The enqueue options the flags ask for; a bad flag is a usage error (exit 2). */
export function rescanOptionsOf(flags: RescanFlags): {
  resume: boolean;
  rescanChanged?: true;
  retryFailed?: readonly string[];
} {
  if (flags.reason && !flags.retryFailed) throw new CommandError('--reason needs --retry-failed', 2);
  const unknown = (flags.reason ?? []).filter((r) => !(FAILURE_CODES as readonly string[]).includes(r));
  if (unknown.length)
    throw new CommandError(
      `--reason ${unknown.join(', ')}: not a failure code (one of ${FAILURE_CODES.join(', ')})`,
      2,
    );
  return {
    resume: Boolean(flags.resume),
    ...(flags.rescanChanged ? { rescanChanged: true as const } : {}),
    ...(flags.retryFailed ? { retryFailed: flags.reason ?? [] } : {}),
  };
}
