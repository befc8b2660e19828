import type { Command } from 'commander';
import { CommandError, contextFor, parseIntOption } from '../core/command.js';
import { environmentHelp } from '../core/config.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Build example agent repositories locally and run them through the whole pipeline (no token, no network)',
    )
    .option('--workers <n>', 'local worker slots', parseIntOption('--workers'), 4)
    .option('--keep-redis-state', 'leave the demo queue and counters in Redis')
    .addHelpText('after', environmentHelp(['redisUrl', 'queuePrefix']))
    .action(async (opts: { workers: number; keepRedisState?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd, 'demo');
      const { runDemo } = await import('./run-demo.js');
      try {
        const result = await runDemo(ctx, {
          workers: Math.max(1, opts.workers),
          keepRedisState: Boolean(opts.keepRedisState),
        });
        process.stdout.write(`${result.summary}\n`);
      } catch (err) {
        throw err instanceof CommandError ? err : new CommandError((err as Error).message);
      }
    });
}
