import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScannerCli } from '../../src/scanner/cli-program.js';
import { scannerCliPath } from '../../src/scanner/index.js';
import { FIXTURES } from './helpers.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err };
}

describe('stratum-scan command line (in-process)', () => {
  it('--json prints exactly one JSON ping and exits 0', async () => {
    const c = capture();
    const code = await runScannerCli(
      [
        'scan',
        path.join(FIXTURES, 'crewai-minimal'),
        '--json',
        '--no-telemetry',
        '--repo-name',
        'o/n',
        '--repo-url',
        'https://example.invalid/o/n',
      ],
      c.io,
    );
    expect(code).toBe(0);
    const text = c.out.join('');
    expect(text.trim().split('\n')).toHaveLength(1);
    const ping = JSON.parse(text);
    expect(ping.repo_full_name).toBe('o/n');
    expect(ping.repo_url).toBe('https://example.invalid/o/n');
    expect(ping.scan_status).toBe('success');
  });

  it('serve: a bad --warm-up-ms is one line and exit 2, before anything is served', async () => {
    for (const bad of ['x', '-5', '1.5']) {
      const c = capture();
      expect(await runScannerCli(['serve', '--warm-up-ms', bad], c.io)).toBe(2);
      expect(c.err.join('')).toBe(`error: --warm-up-ms must be an integer ≥ 0, got "${bad}"\n`);
      expect(c.out.join('')).toBe('');
    }
  });

  it('exits 0 with an empty ping for a repository without Python', async () => {
    const c = capture();
    expect(await runScannerCli(['scan', path.join(FIXTURES, 'neg-no-python'), '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out.join('')).failure_reason).toBe('no_python');
  });

  it('prints a readable summary without --json: frameworks, findings with file:line, signals, risk', async () => {
    const c = capture();
    expect(await runScannerCli(['scan', path.join(FIXTURES, 'langchain-multi')], c.io)).toBe(0);
    const text = c.out.join('');
    expect(text).toContain('LangChain');
    expect(text).toMatch(/CRITICAL\n\s+SEC-00\d/);
    expect(text).toContain('agents_app/executors.py:');
    expect(text).toContain('Deployment: dockerfile yes, CI yes');
    expect(text).toMatch(/Risk score: \d+\/100/);
  });

  it('usage errors exit 2 with a message naming the problem', async () => {
    const c = capture();
    expect(await runScannerCli(['scan', '/nonexistent/dir', '--json'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('/nonexistent/dir');
    const d = capture();
    expect(await runScannerCli(['scan', FIXTURES, '--max-files', 'lots'], d.io)).toBe(2);
    expect(d.err.join('')).toContain('--max-files');
    const e = capture();
    expect(await runScannerCli(['frobnicate'], e.io)).toBe(2);
  });
});

describe('stratum-scan binary (compiled)', () => {
  const cli = scannerCliPath();
  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first (npm test does)`);
  });

  it('runs by absolute path with a minimal environment and prints one ping', async () => {
    const r = await execa(
      'node',
      [
        cli,
        'scan',
        path.join(FIXTURES, 'agno-multi'),
        '--json',
        '--no-telemetry',
        '--repo-name',
        'a/b',
        '--repo-url',
        'u',
      ],
      {
        env: { PATH: process.env.PATH ?? '' },
        extendEnv: false,
        reject: false,
      },
    );
    expect(r.exitCode).toBe(0);
    const ping = JSON.parse(r.stdout);
    expect(ping.frameworks).toEqual(['Agno']);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('runs the one-file bundle built by npm run build, whose ping equals the modules loaded one by one', async () => {
    const dir = path.dirname(cli);
    const bundle = path.join(dir, 'scanner-bundle.cjs');
    const cache = `${bundle}.cache`;
    expect(existsSync(bundle)).toBe(true);
    // cli.js only uses a bundle at least as new as the compiled modules, and a code cache at
    // least as new as the bundle.
    expect(statSync(bundle).mtimeMs).toBeGreaterThanOrEqual(statSync(path.join(dir, 'cli-main.js')).mtimeMs);
    expect(statSync(cache).mtimeMs).toBeGreaterThanOrEqual(statSync(bundle).mtimeMs);
    const args = ['scan', path.join(FIXTURES, 'langgraph-multi'), '--json', '--repo-name', 'a/b'];
    const viaBundle = await execa('node', [cli, ...args], { reject: false });
    const viaModules = await execa('node', [path.join(dir, 'cli-entry.js'), ...args], { reject: false });
    expect(viaBundle.exitCode).toBe(0);
    expect(viaModules.exitCode).toBe(0);
    // Nothing on stderr: the V8 flag the scanner sets is one this Node knows.
    expect(viaBundle.stderr).toBe('');
    const stable = (stdout: string) => {
      const { scan_id, timestamp, scan_duration_ms, ...rest } = JSON.parse(stdout);
      return JSON.stringify(rest);
    };
    expect(stable(viaBundle.stdout)).toBe(stable(viaModules.stdout));
    expect(JSON.parse(viaBundle.stdout).frameworks).toContain('LangGraph');
  });

  it('has a code cache that a plain node accepts for a small repository, and scans without it too', async () => {
    const check = await execa('node', [path.join(path.dirname(cli), 'build-code-cache.js'), '--check']);
    expect(check.stdout).toBe('accepted');
    // A cache V8 rejects (here: another file's bytes) only costs the compile from source. The
    // copy sits beside dist/src/scanner so that node_modules and package.json resolve as there.
    const copy = mkdtempSync(path.join(path.dirname(path.dirname(cli)), 'scanner-cache-test-'));
    try {
      cpSync(path.dirname(cli), copy, { recursive: true, preserveTimestamps: true });
      const copiedBundle = path.join(copy, 'scanner-bundle.cjs');
      writeFileSync(`${copiedBundle}.cache`, readFileSync(path.join(copy, 'cli-main.js')));
      const later = new Date(statSync(copiedBundle).mtimeMs + 1000);
      utimesSync(`${copiedBundle}.cache`, later, later);
      const r = await execa(
        'node',
        [path.join(copy, 'cli.js'), 'scan', path.join(FIXTURES, 'agno-minimal'), '--json'],
        {
          reject: false,
        },
      );
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout).scan_status).toBe('success');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('is reachable as `stratum-pipeline scanner …` with the same arguments', async () => {
    const pipelineCli = path.resolve(path.dirname(cli), '../cli.js');
    const r = await execa(
      'node',
      [pipelineCli, 'scanner', 'scan', path.join(FIXTURES, 'agno-minimal'), '--json', '--repo-name', 'x/y'],
      {
        reject: false,
      },
    );
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).repo_full_name).toBe('x/y');
  });
});
