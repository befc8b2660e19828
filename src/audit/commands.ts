import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CommandError, contextFor, parseIntOption } from '../core/command.js';
import { environmentHelp } from '../core/config.js';
import { DATA_FILES, dataFile } from '../core/paths.js';
import { SECTION_IDS } from './sections/index.js';

interface AuditCliOptions {
  input?: string;
  outputDir?: string;
  manifest?: string;
  split?: boolean;
  section?: string;
  format: string;
  failOnGates?: boolean;
  seed?: number;
  strata?: string;
  gates?: string;
}

/**
 * Where an audit writes: --output-dir when given; the data directory only for the run's own
 * results file; otherwise `<input>.audit/` beside the input, so that auditing another file
 * never replaces the run's report, Parquet files or dataset card.
 */
export function auditOutputDir(input: string, dataDir: string, outputDir?: string): string {
  if (outputDir) return path.resolve(outputDir);
  if (path.resolve(input) === path.join(path.resolve(dataDir), DATA_FILES.scanResults))
    return path.resolve(dataDir);
  return `${path.resolve(input).replace(/\.jsonl?$/, '')}.audit`;
}

export function registerAuditCommands(program: Command): void {
  program
    .command('audit')
    .description('Phase 4: quality gates, report, stratified train/test split, Parquet')
    .option('--input <path>', 'results file (default <data-dir>/scan_results.jsonl)')
    .option(
      '--output-dir <dir>',
      'where the report, audit.json, Parquet, split and card go (default: the data dir for its ' +
        'own scan_results.jsonl, else <input>.audit/ beside the input)',
    )
    .option('--manifest <path>', 'manifest (default <data-dir>/repo_manifest.jsonl when present)')
    .option('--split', 'write the stratified 80/20 train/test split')
    .option('--section <name>', 'print one section of the report and write no file (names below)')
    .option('--format <format>', 'md or json', 'md')
    .option('--fail-on-gates', 'exit non-zero when a gate fails')
    .option('--seed <seed>', 'seed of the split (default 42)', parseIntOption('--seed'))
    .option('--strata <path>', 'strata targets YAML (default config/strata.yaml, else built-in)')
    .option('--gates <path>', 'gate thresholds YAML (default config/audit-gates.yaml)')
    .addHelpText('after', `\nSections: ${SECTION_IDS.join(', ')}.\n${environmentHelp([])}`)
    .action(async (opts: AuditCliOptions, cmd: Command) => {
      const ctx = contextFor(cmd, 'audit');
      if (opts.format !== 'md' && opts.format !== 'json')
        throw new CommandError(`--format must be md or json, got "${opts.format}"`, 2);
      // Loaded here, not at start-up: `--help`, `--version` and the other commands never need them.
      const { fileExists } = await import('../core/jsonl.js');
      const { AuditConfigError, AuditInputError } = await import('./errors.js');
      const { table } = await import('./histogram.js');
      // The audit runs on a thread of its own (a smaller heap, see audit-thread.ts) when built.
      const { AUDIT_THREAD_SCRIPT, runAuditOnThread } = await import('./audit-thread.js');
      const runAudit = existsSync(AUDIT_THREAD_SCRIPT)
        ? runAuditOnThread
        : (await import('./run-audit.js')).runAudit;
      const { requireTextFile } = await import('../core/input-file.js');
      const input = path.resolve(opts.input ?? dataFile(ctx.dataDir, 'scanResults'));
      const defaultManifest = dataFile(ctx.dataDir, 'manifest');
      const manifest = opts.manifest
        ? path.resolve(opts.manifest)
        : (await fileExists(defaultManifest))
          ? defaultManifest
          : undefined;
      // Every named file is checked before anything runs, so a mistake is one line and no output.
      await requireTextFile(input, opts.input ? '--input' : 'results file');
      if (manifest) await requireTextFile(manifest, opts.manifest ? '--manifest' : 'manifest');
      if (opts.strata) await requireTextFile(path.resolve(opts.strata), '--strata');
      if (opts.gates) await requireTextFile(path.resolve(opts.gates), '--gates');
      const outDir = auditOutputDir(input, ctx.dataDir, opts.outputDir);
      const cliProgress =
        process.stderr.isTTY && !opts.section ? (await import('cli-progress')).default : undefined;
      const bar = cliProgress
        ? new cliProgress.SingleBar(
            {
              format: 'audit [{bar}] {percentage}% | {value}/{total} MB read (two passes)',
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let started = false;
      try {
        const result = await runAudit({
          input,
          ...(manifest ? { manifest } : {}),
          outDir,
          split: Boolean(opts.split),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...(opts.section ? { section: opts.section } : {}),
          format: opts.format,
          ...(opts.strata ? { strataFile: path.resolve(opts.strata) } : {}),
          ...(opts.gates ? { gatesFile: path.resolve(opts.gates) } : {}),
          logger: ctx.logger,
          ...(bar
            ? {
                onProgress: (b: number, total: number) => {
                  if (!started) bar.start(Math.ceil(total / 1e6), 0);
                  started = true;
                  // The last update lands on the total (rounded up like it), so the bar ends at 100 %.
                  bar.update(b >= total ? Math.ceil(total / 1e6) : Math.round(b / 1e6));
                },
              }
            : {}),
        });
        bar?.stop();
        if (opts.section || opts.format === 'json') process.stdout.write(result.output);
        else {
          const passed = result.gates.filter((g) => g.pass).length;
          process.stdout.write(
            `${table(
              ['gate', 'name', 'result', 'evidence'],
              result.gates.map((g) => [g.id, g.name, g.verdict, g.evidence]),
            )}\n\n${passed}/${result.gates.length} gates pass · ${result.rows} rows · ` +
              `${result.corruptLines} corrupt lines · ${result.invalidRows} invalid rows · ${result.duplicateRows} duplicate rows\n` +
              `report: ${result.reportPath}\n`,
          );
        }
        if (opts.failOnGates && result.gates.some((g) => !g.pass)) {
          // n/a is not a pass either: a gate with no data to judge cannot vouch for the dataset.
          const ids = (verdict: string) => result.gates.filter((g) => g.verdict === verdict).map((g) => g.id);
          const failed = ids('FAIL');
          const noData = ids('n/a');
          const parts = [
            ...(failed.length ? [`quality gates failed: ${failed.join(', ')}`] : []),
            ...(noData.length ? [`without data (n/a): ${noData.join(', ')}`] : []),
          ];
          throw new CommandError(parts.join('; '), 1);
        }
      } catch (err) {
        bar?.stop();
        if (err instanceof AuditInputError || err instanceof AuditConfigError)
          throw new CommandError(err.message, 2);
        throw err;
      }
    });

  program
    .command('generate-test-data')
    .description('Write seeded, deterministic synthetic pings that pass the contract')
    .option('--count <n>', 'number of pings', parseIntOption('--count'), 200)
    .option('--seed <seed>', 'random seed', parseIntOption('--seed'), 42)
    .option('--output <path>', 'output (default <data-dir>/test_scan_results.jsonl)')
    .option('--manifest <path>', 'also write the matching manifest (fork parents, language bytes) here')
    .addHelpText('after', environmentHelp([]))
    .action(
      async (opts: { count: number; seed: number; output?: string; manifest?: string }, cmd: Command) => {
        const ctx = contextFor(cmd, 'generate-test-data');
        const { dataFile } = await import('../core/paths.js');
        const { writeTestData } = await import('../testdata/index.js');
        const output = path.resolve(opts.output ?? dataFile(ctx.dataDir, 'testData'));
        const { stat } = await import('node:fs/promises');
        if ((await stat(output).catch(() => undefined))?.isDirectory())
          throw new CommandError(`--output ${output}: is a directory, expected a file`, 2);
        const started = Date.now();
        const result = await writeTestData({
          count: opts.count,
          seed: opts.seed,
          output,
          ...(opts.manifest ? { manifestOutput: path.resolve(opts.manifest) } : {}),
        });
        ctx.logger.info(
          {
            count: result.count,
            seed: opts.seed,
            output,
            bytes: result.bytes,
            workers: result.workers,
            ms: Date.now() - started,
          },
          'test data written',
        );
        process.stdout.write(`${result.count} pings (seed ${opts.seed}) → ${output}\n`);
        if (result.manifestOutput) process.stdout.write(`manifest → ${result.manifestOutput}\n`);
      },
    );
}
