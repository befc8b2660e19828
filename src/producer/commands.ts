import type { Command } from 'commander';
import { contextFor, parseIntOption } from '../core/command.js';
import { environmentHelp } from '../core/config.js';

interface DiscoverCliOptions {
  dryRun?: boolean;
  stratum?: string;
  output?: string;
  resume?: boolean;
  fresh?: boolean;
  strata?: string;
  keepArchived?: boolean;
}

export function registerProducerCommands(program: Command): void {
  program
    .command('discover')
    .description('Phase 1: search GitHub over the strata and freeze data/repo_manifest.jsonl')
    .option('--dry-run', 'print strata, queries and targets; make no request (no token needed)')
    .option('--stratum <name>', 'run a single stratum')
    .option('--output <path>', 'manifest path (default <data-dir>/repo_manifest.jsonl)')
    .option('--resume', 'continue from the checkpoint of an interrupted run')
    .option('--fresh', 'discard the checkpoint of an unfinished run and start over')
    .option('--strata <file>', 'strata config file (default config/strata.yaml)')
    .option('--keep-archived', 'keep archived and mirror repositories (excluded by default)')
    .addHelpText(
      'after',
      '\nToken: GITHUB_TOKEN, or GITHUB_TOKENS=a,b,c to search with several tokens in parallel.\n' +
        'Writes the manifest and <data-dir>/discovery_log.json.\n' +
        environmentHelp([
          'githubToken',
          'githubTokens',
          'githubApiUrl',
          'githubMinIntervalMs',
          'githubWaitScaleMs',
        ]),
    )
    .action(async (opts: DiscoverCliOptions, cmd: Command) => {
      const ctx = contextFor(cmd, 'discover');
      if (opts.strata) {
        const { requireTextFile } = await import('../core/input-file.js');
        await requireTextFile(opts.strata, '--strata');
      }
      const { redact } = await import('../core/redact.js');
      const { runDiscover } = await import('./discover/run-discover.js');
      const { defaultStrataFile } = await import('./discover/strata.js');
      await runDiscover(
        {
          strataFile: opts.strata ?? defaultStrataFile(),
          stratum: opts.stratum,
          output: opts.output,
          resume: opts.resume === true,
          fresh: opts.fresh === true,
          dryRun: opts.dryRun === true,
          includeArchived: opts.keepArchived === true,
        },
        {
          config: ctx.config,
          dataDir: ctx.dataDir,
          logger: ctx.logger,
          print: (text) => process.stdout.write(`${redact(text, ctx.secrets)}\n`),
          tty: process.stderr.isTTY === true,
        },
      );
    });

  program
    .command('enqueue')
    .description('Phase 2 producer: one BullMQ job per manifest repository')
    .option('--manifest <path>', 'manifest path (default <data-dir>/repo_manifest.jsonl)')
    .option('--limit <n>', 'enqueue at most N repositories', parseIntOption('--limit'))
    .option('--resume', 'skip repositories already in results or quarantine')
    .addHelpText(
      'after',
      environmentHelp(['redisUrl', 'queuePrefix', 'maxAttempts', 'retryBackoffMs', 'allowLocalUrls']),
    )
    .action(async (opts: { manifest?: string; limit?: number; resume?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd, 'enqueue');
      const { runEnqueueCommand } = await import('./enqueue/command.js');
      await runEnqueueCommand(ctx, opts);
    });
}
