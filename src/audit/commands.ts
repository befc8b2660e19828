import type { Command } from 'commander';
import { contextFor, notYetImplemented, parseIntOption } from '../core/command.js';

export function registerAuditCommands(program: Command): void {
  program
    .command('audit')
    .description('Phase 4: quality gates, report, stratified train/test split, Parquet')
    .option('--input <path>', 'results file (default <data-dir>/scan_results.jsonl)')
    .option('--manifest <path>', 'manifest (default <data-dir>/repo_manifest.jsonl when present)')
    .option('--split', 'write the stratified 80/20 train/test split')
    .option('--section <name>', 'run one section of the report')
    .option('--format <format>', 'md or json', 'md')
    .option('--fail-on-gates', 'exit non-zero when a gate fails')
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'audit');
      notYetImplemented('audit', 7);
    });

  program
    .command('generate-test-data')
    .description('Write seeded, deterministic synthetic pings that pass the contract')
    .option('--count <n>', 'number of pings', parseIntOption('--count'), 200)
    .option('--seed <seed>', 'random seed', parseIntOption('--seed'), 42)
    .option('--output <path>', 'output (default <data-dir>/test_scan_results.jsonl)')
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'generate-test-data');
      notYetImplemented('generate-test-data', 7);
    });
}
