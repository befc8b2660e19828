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
  depends_on?: unknown;
  ports?: string[];
  restart?: string;
  volumes?: string[];
  profiles?: string[];
}

type ComposeFile = { services: Record<string, Service> };

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

function compose(file: string): ComposeFile {
  return parse(read(file), { merge: true });
}

/** `${VAR:-default}` → default, `${VAR:?message}` → `<VAR>`, as compose would with VAR unset. */
function interpolated(value: string): string {
  return value
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, def: string) => def)
    .replace(/\$\{(\w+):\?[^}]*\}/g, (_, name: string) => `<${name}>`);
}

const FILES = ['compose.hub.yml', 'compose.worker.yml'] as const;

/** The subcommands the services run, registered exactly as src/cli.ts registers them. */
function cliCommands(): Map<string, string[]> {
  const program = new Command('stratum-pipeline');
  registerProducerCommands(program);
  registerWorkerCommands(program);
  registerDashboardCommands(program);
  return new Map(program.commands.map((c) => [c.name(), c.options.map((o) => o.long ?? '')]));
}

describe('compose files', () => {
  it('the hub has redis, writer, dashboard, producer and optional workers; the worker file workers only', () => {
    expect(Object.keys(compose('compose.hub.yml').services).sort()).toEqual([
      'dashboard',
      'producer',
      'redis',
      'worker',
      'writer',
    ]);
    expect(Object.keys(compose('compose.worker.yml').services)).toEqual(['worker']);
    expect(compose('compose.hub.yml').services.worker?.profiles).toEqual(['workers']);
  });

  it('runs Redis with a password, AOF and noeviction, published on an address the operator must choose', () => {
    const redis = compose('compose.hub.yml').services.redis!;
    const cmd = redis.command?.join(' ') ?? '';
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
    expect(cmd).toMatch(/requirepass/);
    expect(redis.environment?.REDIS_PASSWORD).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    expect(redis.ports).toHaveLength(1);
    expect(redis.ports?.[0]).toMatch(/^\$\{REDIS_BIND:\?[^}]+\}:/);
  });

  it('the worker file needs REDIS_URL and starts no Redis', () => {
    const worker = compose('compose.worker.yml').services.worker!;
    expect(worker.environment?.REDIS_URL).toMatch(/^\$\{REDIS_URL:\?[^}]+\}$/);
    expect(worker.depends_on).toBeUndefined();
    expect(worker.restart).toMatch(/^on-failure:\d+$/);
  });

  it('the dashboard needs credentials from the environment and does not restart forever', () => {
    const dash = compose('compose.hub.yml').services.dashboard!;
    expect(dash.environment?.DASHBOARD_USER).toMatch(/^\$\{DASHBOARD_USER:\?/);
    expect(dash.environment?.DASHBOARD_PASSWORD).toMatch(/^\$\{DASHBOARD_PASSWORD:\?/);
    expect(dash.restart).toMatch(/^on-failure:\d+$/);
  });

  it('holds no secret: every password, token and URL with credentials comes from the environment', () => {
    for (const file of FILES)
      for (const [name, svc] of Object.entries(compose(file).services))
        for (const [key, value] of Object.entries(svc.environment ?? {}))
          if (/PASSWORD|TOKEN|REDIS_URL/.test(key))
            expect(String(value), `${file} ${name} ${key}`).toMatch(/\$\{[A-Z_]+[:?}-]/);
  });

  it('gives every pipeline service a command that is a real CLI subcommand with real options', () => {
    const commands = cliCommands();
    for (const file of FILES)
      for (const [name, svc] of Object.entries(compose(file).services)) {
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

  it('lets workers finish their grace period before the engine kills them', () => {
    for (const file of FILES) {
      const w = compose(file).services.worker!;
      const graceMs = Number(interpolated(String(w.environment?.STRATUM_SHUTDOWN_GRACE_MS)));
      const stopSeconds = Number.parseInt(w.stop_grace_period ?? '10s', 10);
      expect(graceMs, file).toBeGreaterThan(0);
      expect(stopSeconds * 1000, file).toBeGreaterThan(graceMs);
    }
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

  it('carries config/, runs as the non-root user that owns /data and /work, and has a health check', () => {
    expect(text).toMatch(/^COPY config \.\/config$/m);
    expect(text).toMatch(/chown -R node:node \/data \/work/);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK /m);
  });

  it('builds from a context without node_modules, dist, data or .git, keeping test/support', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.git', 'test', '!test/support'])
      expect(ignored, entry).toContain(entry);
  });
});
