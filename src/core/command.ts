import path from 'node:path';
import type { Command } from 'commander';
import { type Config, ConfigError, loadConfig, secretValues } from './config.js';
import { createLogger, type Logger } from './logger.js';

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

export function reportCommandError(err: unknown): number {
  if (err instanceof CommandError || err instanceof ConfigError) {
    process.stderr.write(`error: ${err.message}\n`);
    return err instanceof CommandError ? err.exitCode : 2;
  }
  process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}

export function parseIntOption(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value))
      throw new CommandError(`${name} must be a non-negative integer, got "${value}"`, 2);
    return Number(value);
  };
}
