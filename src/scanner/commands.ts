import type { Command } from 'commander';

/** `stratum-pipeline scanner …` forwards its arguments to the built-in scanner's own CLI (`stratum-scan`). */
export function registerScannerCommand(program: Command): void {
  program
    .command('scanner')
    .description('The built-in scanner (`stratum-scan scan PATH --json …`)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { runScannerCli } = await import('./cli-program.js');
      process.exitCode = await runScannerCli(args);
    });
}
