import type { Command } from 'commander';
import { contextFor, notYetImplemented, parseIntOption } from '../core/command.js';

export function registerWorkerCommands(program: Command): void {
  program
    .command('scan')
    .description('Phase 2 on one machine: enqueue, run N worker slots and the writer, show progress')
    .option('--manifest <path>', 'manifest path (default <data-dir>/repo_manifest.jsonl)')
    .option('--limit <n>', 'scan at most N repositories', parseIntOption('--limit'))
    .option('--workers <n>', 'local worker slots', parseIntOption('--workers'), 10)
    .option('--resume', 'skip repositories already in results or quarantine')
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'scan');
      notYetImplemented('scan', 3);
    });

  program
    .command('worker')
    .description('Phase 2 worker: clone, scan and validate jobs from the queue (run many, anywhere)')
    .option('--concurrency <n>', 'jobs in parallel in this process', parseIntOption('--concurrency'), 4)
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'worker');
      notYetImplemented('worker', 3);
    });

  program
    .command('writer')
    .description('Phase 2 result writer (exactly one per run): append results, then acknowledge')
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'writer');
      notYetImplemented('writer', 3);
    });
}
