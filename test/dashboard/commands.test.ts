import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandError } from '../../src/core/command.js';
import { registerDashboardCommands } from '../../src/dashboard/commands.js';

function program(): Command {
  const p = new Command('stratum-pipeline').option('--data-dir <dir>').exitOverride();
  registerDashboardCommands(p);
  return p;
}

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('dashboard command', () => {
  it('refuses a non-loopback bind without credentials, with the fix in the message (exit 2)', async () => {
    delete process.env.DASHBOARD_TOKEN;
    delete process.env.DASHBOARD_USER;
    delete process.env.DASHBOARD_PASSWORD;
    const run = program().parseAsync(['dashboard', '--host', '0.0.0.0', '--port', '0'], { from: 'user' });
    await expect(run).rejects.toThrow(CommandError);
    await expect(run).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining(
        'refusing to listen on 0.0.0.0 without credentials: set DASHBOARD_TOKEN',
      ),
    });
  });

  it('rejects an invalid cron expression by name', async () => {
    process.env.DASHBOARD_TOKEN = 'tok-abcdef';
    const run = program().parseAsync(['dashboard', '--port', '0', '--audit-cron', '61 * * * *'], {
      from: 'user',
    });
    await expect(run).rejects.toMatchObject({
      exitCode: 2,
      message: '--audit-cron is not a valid cron expression: "61 * * * *"',
    });
  });
});
