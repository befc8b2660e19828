import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../src/core/project-root.js';

const ROOT = projectRoot();
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

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

function help(args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args, '--help'], { encoding: 'utf8' });
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
    expect(existsSync(CLI), 'run npm run build first').toBe(true);
    const program = help([]);
    for (const [name, svc] of Object.entries(compose().services)) {
      if (name === 'redis') continue;
      const [sub, ...args] = svc.command ?? [];
      expect(sub, `${name} has a command`).toBeTruthy();
      expect(program, `${name}: ${sub} is a subcommand`).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
      const text = help([sub!]);
      for (const flag of args.filter((a) => a.startsWith('--')))
        expect(text, `${name}: ${sub} ${flag}`).toContain(flag);
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
