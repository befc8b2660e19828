import path from 'node:path';
import type { Command } from 'commander';
import { type Config, ConfigError, loadConfig, secretValues } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { escapeLine, escapeText } from './terminal-text.js';

/** What every subcommand gets: the frozen config, the resolved data directory and a logger. */
export interface CommandContext {
  config: Config;
  dataDir: string;
  logger: Logger;
  secrets: readonly string[];
}

/** An expected failure of a command: printed as one clear line, exit code given. */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function contextFor(command: Command, name: string): CommandContext {
  const globals = command.optsWithGlobals() as { dataDir?: string };
  const config = loadConfig(process.env, globals.dataDir ? { dataDir: globals.dataDir } : {});
  const secrets = secretValues(config);
  return {
    config,
    dataDir: path.resolve(config.dataDir),
    logger: createLogger(name, { level: config.logLevel, secrets }),
    secrets,
  };
}

export function notYetImplemented(what: string, issue: number): never {
  throw new CommandError(`${what} is not implemented yet (issue #${issue})`, 2);
}

/** System errors that name a path or port the user gave: a mistake to fix, not a crash. */
const USER_ERROR_CODES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'path too long',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  ERR_SOCKET_BAD_PORT: 'not a valid port (0–65535)',
};

/** The one-line message and exit code of an error a user can act on; undefined for a bug. */
export function userErrorOf(err: unknown): { message: string; exitCode: number } | undefined {
  if (err instanceof CommandError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ConfigError) return { message: err.message, exitCode: 2 };
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const what = e?.code ? USER_ERROR_CODES[e.code] : undefined;
  if (!what) return undefined;
  const where = e.path ?? (e.address ? `${e.address}:${e.port ?? ''}` : undefined);
  return { message: where ? `${where}: ${what}` : `${what} (${e.code})`, exitCode: 2 };
}

/** Longest error line printed; the rest of a long list of problems is counted, not shown. */
const MAX_ERROR_CHARS = 400;

/** A message (maybe a list of problems, one a line) as one escaped line: the first problem and a count. */
export function oneLine(message: string): string {
  const lines = message.split('\n').filter((l) => l.trim() !== '');
  const shown = lines.slice(0, 2).join(' ');
  const more = lines.length > 2 ? ` (+${lines.length - 2} more)` : '';
  const text = escapeLine(shown);
  return (text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text) + more;
}

/**
 * The error boundary of every command: a user mistake is one escaped line (exit 2 unless the
 * command chose another code); anything else is a bug and keeps its stack (exit 1).
 */
export function reportCommandError(err: unknown): number {
  const user = userErrorOf(err);
  if (user) {
    process.stderr.write(`error: ${oneLine(user.message)}\n`);
    return user.exitCode;
  }
  process.stderr.write(`error: ${escapeText((err as Error)?.stack ?? String(err))}\n`);
  return 1;
}

export function parseIntOption(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value))
      throw new CommandError(`${name} must be a non-negative integer, got "${escapeLine(value)}"`, 2);
    return Number(value);
  };
}

export function parsePortOption(name: string) {
  return (value: string): number => {
    const port = parseIntOption(name)(value);
    if (port > 65_535) throw new CommandError(`${name} must be a port number 0–65535, got ${port}`, 2);
    return port;
  };
}
