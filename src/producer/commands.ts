import type { Command } from 'commander';
import { contextFor, notYetImplemented, parseIntOption } from '../core/command.js';
import { runEnqueueCommand } from './enqueue/command.js';

export function registerProducerCommands(program: Command): void {
  program
    .command('discover')
    .description('Phase 1: search GitHub over the strata and freeze data/repo_manifest.jsonl')
    .option('--dry-run', 'print strata, queries and targets; make no request')
    .option('--stratum <name>', 'run a single stratum')
    .option('--output <path>', 'manifest path (default <data-dir>/repo_manifest.jsonl)')
    .option('--resume', 'continue from the checkpoint of an interrupted run')
    .option('--strata <file>', 'strata config file (default config/strata.yaml)')
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'discover');
      notYetImplemented('discover', 2);
    });

  program
    .command('enqueue')
    .description('Phase 2 producer: one BullMQ job per manifest repository')
    .option('--manifest <path>', 'manifest path (default <data-dir>/repo_manifest.jsonl)')
    .option('--limit <n>', 'enqueue at most N repositories', parseIntOption('--limit'))
    .option('--resume', 'skip repositories already in results or quarantine')
    .action(async (opts: { manifest?: string; limit?: number; resume?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd, 'enqueue');
      await runEnqueueCommand(ctx, opts);
    });
}
