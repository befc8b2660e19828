import type { Command } from 'commander';
import { notYetImplemented } from '../core/command.js';

/** `stratum-pipeline scanner …` forwards to the built-in scanner's own CLI (`stratum-scan`). */
export function registerScannerCommand(program: Command): void {
  program
    .command('scanner')
    .description('The built-in scanner (`stratum-scan scan PATH --json …`)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(() => {
      notYetImplemented('scanner', 4);
    });
}
