import { Command, CommanderError } from 'commander';
import { PIPELINE_VERSION } from '../core/version.js';
import { ScanUsageError, scanDirectory } from './scan.js';
import { formatSummary } from './summary.js';

interface ScanFlags {
  json?: boolean;
  telemetry?: boolean;
  repoName?: string;
  repoUrl?: string;
  selectionStratum?: string;
  maxFiles?: number;
  maxFileBytes?: number;
  timeBudgetMs?: number;
}

function positiveInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) <= 0)
      throw new ScanUsageError(`${name} must be a positive integer, got "${value}"`);
    return Number(value);
  };
}

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/**
 * `stratum-scan scan PATH [--json] …` — the same command line as the public `stratum scan`.
 * Returns the exit code: 0 whenever a ping was produced (including empty/partial), 2 for usage
 * errors, 1 for a crash. `--no-telemetry` is accepted for compatibility: this scanner never
 * sends anything anywhere.
 */
export async function runScannerCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = new Command('stratum-scan')
    .description('Static scanner of AI-agent repositories (emits the ping contract v0.3.2)')
    .version(PIPELINE_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  let exit = 0;
  program
    .command('scan')
    .description('scan a checked-out repository directory')
    .argument('<path>', 'repository directory')
    .option('--json', 'print exactly one JSON ping on stdout')
    .option('--no-telemetry', 'accepted for compatibility (nothing is ever sent)')
    .option('--repo-name <owner/name>', 'repository name written into the ping')
    .option('--repo-url <url>', 'clone URL written into the ping')
    .option('--selection-stratum <name>', 'manifest stratum written into the ping')
    .option('--max-files <n>', 'candidate files read at most (default 20000)', positiveInt('--max-files'))
    .option(
      '--max-file-bytes <n>',
      'larger files are not read (default 2097152)',
      positiveInt('--max-file-bytes'),
    )
    .option(
      '--time-budget-ms <n>',
      'wall-clock budget of the scan (default 60000)',
      positiveInt('--time-budget-ms'),
    )
    .action(async (dir: string, flags: ScanFlags) => {
      const report = await scanDirectory(dir, {
        repoName: flags.repoName,
        repoUrl: flags.repoUrl,
        selectionStratum: flags.selectionStratum,
        maxFiles: flags.maxFiles,
        maxFileBytes: flags.maxFileBytes,
        timeBudgetMs: flags.timeBudgetMs,
      });
      io.stdout(flags.json ? `${JSON.stringify(report.ping)}\n` : formatSummary(report));
      exit = 0;
    });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ScanUsageError) {
      io.stderr(`error: ${err.message}\n`);
      return 2;
    }
    io.stderr(`error: scanner crashed: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
