import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';
import { tempDir } from '../support/tmp.js';
import { TOKEN_A } from './discover-helpers.js';

// The built CLI as a user runs it; a fake GitHub counts any request it would make.
const CLI = path.resolve('dist/src/cli.js');
let fake: FakeGitHub;
const tmp = tempDir('discover-cli');

beforeAll(async () => {
  if (!existsSync(CLI))
    throw new Error('dist/src/cli.js is missing: run `npm run build` first (npm test does)');
  fake = await startFakeGitHub({ population: { size: 500 } });
});

afterAll(async () => {
  await fake.stop();
  tmp.cleanup();
});

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, '--data-dir', tmp.dir, 'discover', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp.dir, GITHUB_API_URL: fake.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('stratum-pipeline discover (CLI)', { timeout: 120_000 }, () => {
  it('--dry-run prints every stratum, query, target and the total, without a token or a request', async () => {
    fake.resetStats();
    const result = await run(['--dry-run']);
    expect(result.code).toBe(0);
    for (const name of [
      'langchain_active',
      'crewai',
      'langgraph',
      'autogen',
      'llamaindex',
      'agno_smolagents_other',
      'high_maturity',
      'discovery_pool',
    ]) {
      expect(result.stdout).toContain(name);
    }
    expect(result.stdout).toContain('langchain agent language:python pushed:>2025-06-01');
    expect(result.stdout).toContain('target 10,000');
    expect(result.stdout).toContain('8 strata, 19 queries, total target 43,000');
    expect(fake.stats.requests).toBe(0);
  });

  it('--stratum runs one stratum; an unknown name fails listing the valid ones', async () => {
    const one = await run(['--dry-run', '--stratum', 'crewai']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('1 strata, 2 queries, total target 6,000');
    const bad = await run(['--dry-run', '--stratum', 'crew_ai']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'unknown stratum "crew_ai"; valid names: langchain_active, crewai, langgraph',
    );
  });

  it('a bad strata file fails naming the file, the line, the entry and the problem', async () => {
    const file = path.join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'strata:\n  - name: crewai\n    target: -5\n    queries: [crewai]\n');
    const result = await run(['--dry-run', '--strata', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${file}:3: strata[0] "crewai": target must be a positive integer, got -5`,
    );
  });

  it('a real run without a token fails with a clear message and makes no request', async () => {
    fake.resetStats();
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GITHUB_TOKEN is not set');
    expect(fake.stats.requests).toBe(0);
  });

  it('a token GitHub rejects stops the run with the reason, never the token', async () => {
    const strict = await startFakeGitHub({
      population: { size: 200 },
      tokens: ['ghp_theOnlyGoodTokenXXXXXXXXXXXXXXXXXXXXX'],
    });
    try {
      const result = await run(['--stratum', 'crewai', '--fresh'], {
        GITHUB_TOKEN: TOKEN_A,
        GITHUB_API_URL: strict.url,
        STRATUM_GITHUB_MIN_INTERVAL_MS: '0',
        STRATUM_GITHUB_WAIT_SCALE_MS: '1',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('GitHub rejected token-1');
      expect(result.stderr).toContain('Bad credentials');
      expect(result.stdout + result.stderr).not.toContain(TOKEN_A);
    } finally {
      await strict.stop();
    }
  });
});
