#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './audit/commands.js';
import { reportCommandError } from './core/command.js';
import { escapeLine } from './core/terminal-text.js';
import { PIPELINE_VERSION } from './core/version.js';
import { registerDashboardCommands } from './dashboard/commands.js';
import { registerDemoCommand } from './demo/commands.js';
import { registerProducerCommands } from './producer/commands.js';
import { registerScannerCommand } from './scanner/commands.js';
import { registerWorkerCommands } from './workers/commands.js';

export function buildProgram(): Command {
  const program = new Command('stratum-pipeline')
    .description(
      'Build a benchmark dataset of AI-agent code: discover → scan → monitor → audit.\n' +
        'Data files live in --data-dir (default: data/, or STRATUM_DATA_DIR).',
    )
    .version(PIPELINE_VERSION)
    .option('--data-dir <dir>', 'directory of the pipeline data files (env STRATUM_DATA_DIR)')
    .configureHelp({ sortSubcommands: false })
    // Usage mistakes (unknown option, missing value) are one line and exit 2, like every other
    // user mistake; subcommands inherit both settings.
    .exitOverride()
    .configureOutput({
      outputError: (text, write) =>
        write(`${escapeLine(text.trim().replace(/\s*\n\s*/g, ' '))} (see --help)\n`),
    });
  registerDemoCommand(program);
  registerProducerCommands(program);
  registerWorkerCommands(program);
  registerDashboardCommands(program);
  registerAuditCommands(program);
  registerScannerCommand(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    // Commander has printed its message already (help and --version end here with code 0).
    if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
    else process.exitCode = reportCommandError(err);
  }
}

await main();
