import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../src/core/project-root.js';
import { registerDashboardCommands } from '../../src/dashboard/commands.js';
import { registerProducerCommands } from '../../src/producer/commands.js';
import { registerWorkerCommands } from '../../src/workers/commands.js';

const ROOT = projectRoot();

interface Service {
  command?: string[];
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  stop_grace_period?: string;
  init?: boolean;
}

function compose(): { services: Record<string, Service> } {
  return parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
}

/** The subcommands the services run, registered exactly as src/cli.ts registers them. */
function cliCommands(): Map<string, string[]> {
  const program = new Command('stratum-pipeline');
  registerProducerCommands(program);
  registerWorkerCommands(program);
  registerDashboardCommands(program);
  return new Map(program.commands.map((c) => [c.name(), c.options.map((o) => o.long ?? '')]));
}

describe('docker-compose.yml', () => {
  it('parses and has the redis, worker, writer, producer and dashboard services', () => {
    expect(Object.keys(compose().services).sort()).toEqual([
      'dashboard',
      'producer',
      'redis',
      'worker',
      'writer',
    ]);
  });

  it('runs Redis with AOF and noeviction', () => {
    const cmd = compose().services.redis?.command?.join(' ') ?? '';
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
  });

  it('gives every pipeline service a command that is a real CLI subcommand with real options', () => {
    const commands = cliCommands();
    for (const [name, svc] of Object.entries(compose().services)) {
      if (name === 'redis') continue;
      const [sub, ...args] = svc.command ?? [];
      expect(sub, `${name} has a command`).toBeTruthy();
      expect([...commands.keys()], `${name}: ${sub} is a subcommand`).toContain(sub);
      for (const flag of args.filter((a) => a.startsWith('--')))
        expect(commands.get(sub!), `${name}: ${sub} ${flag}`).toContain(flag);
      expect(svc.init, `${name} runs under an init`).toBe(true);
      expect(svc.environment?.REDIS_URL).toBeTruthy();
    }
  });

  it('lets workers finish their grace period before Docker kills them', () => {
    const w = compose().services.worker!;
    const graceMs = Number(w.environment?.STRATUM_SHUTDOWN_GRACE_MS);
    const stopSeconds = Number.parseInt(w.stop_grace_period ?? '10s', 10);
    expect(stopSeconds * 1000).toBeGreaterThan(graceMs);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  it('is Node 20 slim with git, exec-form entrypoint to the CLI, optional Python scanner', () => {
    expect(text).toMatch(/^FROM node:20-bookworm-slim/m);
    expect(text).toMatch(/apt-get install[^\n]*\bgit\b/);
    expect(text).toMatch(/^ENTRYPOINT \["node", "\/app\/dist\/src\/cli\.js"\]/m);
    expect(text).toMatch(/^ARG PYTHON_SCANNER/m);
  });
});
