import { Command, CommanderError } from 'commander';
import { PIPELINE_VERSION } from '../core/version.js';
import { toSarif } from './report/sarif.js';
import type { Severity } from './rules/rule.js';
import { type ScanReport, ScanUsageError, scanDirectory } from './scan.js';
import { serve } from './serve/serve.js';
import { DEFAULT_WARM_UP_MS } from './serve/warm-up.js';
import { formatSummary } from './summary.js';

type OutputFormat = 'text' | 'json' | 'sarif';

interface ScanFlags {
  json?: boolean;
  format?: OutputFormat;
  failOn?: Severity;
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

function nonNegativeInt(name: string) {
  return (value: string): number => {
    if (!/^\d{1,9}$/.test(value)) throw new ScanUsageError(`${name} must be an integer ≥ 0, got "${value}"`);
    return Number(value);
  };
}

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];
const SEVERITY_ORDER: readonly Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function outputFormat(value: string): OutputFormat {
  const f = value.toLowerCase() as OutputFormat;
  if (!FORMATS.includes(f))
    throw new ScanUsageError(`--format must be one of ${FORMATS.join(', ')}, got "${value}"`);
  return f;
}

function severity(value: string): Severity {
  const s = value.toUpperCase() as Severity;
  if (!SEVERITY_ORDER.includes(s))
    throw new ScanUsageError(
      `--fail-on must be one of ${SEVERITY_ORDER.join(', ').toLowerCase()}, got "${value}"`,
    );
  return s;
}

/** Exit code of a scan whose findings reach the `--fail-on` severity (0 ping, 1 crash, 2 usage). */
export const EXIT_FINDINGS = 3;

/** Whether a finding of at least `threshold` severity fired. */
export function reachesSeverity(report: ScanReport, threshold: Severity): boolean {
  const min = SEVERITY_ORDER.indexOf(threshold);
  return report.findings.some((f) => SEVERITY_ORDER.indexOf(f.rule.severity) >= min);
}

export function renderReport(report: ScanReport, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(report.ping)}\n`;
  if (format === 'sarif') return `${JSON.stringify(toSarif(report, PIPELINE_VERSION), null, 2)}\n`;
  return formatSummary(report);
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
 * errors, 1 for a crash, 3 when `--fail-on SEVERITY` is given and a finding of at least that
 * severity fired (the report is printed all the same). `--no-telemetry` is accepted for compatibility: this scanner never
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
    .option('--json', 'print exactly one JSON ping on stdout (same as --format json)')
    .option(
      '--format <format>',
      'output: text (default), json (the ping) or sarif (SARIF 2.1.0)',
      outputFormat,
    )
    .option(
      '--fail-on <severity>',
      `exit ${EXIT_FINDINGS} when a finding of at least this severity fires (low, medium, high, critical)`,
      severity,
    )
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
      if (flags.json && flags.format !== undefined && flags.format !== 'json')
        throw new ScanUsageError(`--json and --format ${flags.format} disagree: give one of them`);
      const report = await scanDirectory(dir, {
        repoName: flags.repoName,
        repoUrl: flags.repoUrl,
        selectionStratum: flags.selectionStratum,
        maxFiles: flags.maxFiles,
        maxFileBytes: flags.maxFileBytes,
        timeBudgetMs: flags.timeBudgetMs,
      });
      io.stdout(renderReport(report, flags.json ? 'json' : (flags.format ?? 'text')));
      exit = flags.failOn !== undefined && reachesSeverity(report, flags.failOn) ? EXIT_FINDINGS : 0;
    });
  program
    .command('serve')
    .description(
      'long-lived scanner: framed scan requests on stdin, framed pings on stdout (docs/scanner.md)',
    )
    .option(
      '--warm-up-ms <ms>',
      `scan a built-in synthetic repository for up to this long before announcing ready, so the first real repository meets a warm JIT (0: none; default ${DEFAULT_WARM_UP_MS})`,
      nonNegativeInt('--warm-up-ms'),
      DEFAULT_WARM_UP_MS,
    )
    .action(async (flags: { warmUpMs: number }) => {
      exit = await serve(process.stdin, process.stdout, flags.warmUpMs);
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
