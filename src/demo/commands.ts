import type { Command } from 'commander';
import { contextFor, notYetImplemented } from '../core/command.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Build example agent repositories locally and run them through the whole pipeline')
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'demo');
      notYetImplemented('demo', 6);
    });
}
