import type { Command } from 'commander';
import { contextFor, notYetImplemented, parseIntOption } from '../core/command.js';

export function registerDashboardCommands(program: Command): void {
  program
    .command('monitor')
    .description('Phase 3: terminal monitor of a running scan')
    .option('--once', 'print one snapshot and exit')
    .option('--interval <seconds>', 'refresh interval', parseIntOption('--interval'), 30)
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'monitor');
      notYetImplemented('monitor', 5);
    });

  program
    .command('dashboard')
    .description('Phase 3: web dashboard (stats page, bull-board, Prometheus metrics, audit on drain)')
    .option('--port <port>', 'port', parseIntOption('--port'), 3000)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--read-only', 'hide and refuse destructive queue actions')
    .option('--audit-cron <expr>', 'also write an audit snapshot on this cron schedule')
    .action((_opts, cmd: Command) => {
      contextFor(cmd, 'dashboard');
      notYetImplemented('dashboard', 5);
    });
}
