import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRequirement } from '../../src/scanner/deps/dependency-versions.js';
import { scannerCliPath, scanRepository } from '../../src/scanner/index.js';
import {
  ExtractionDeadlineError,
  extractPythonFacts,
  lineCursor,
} from '../../src/scanner/parse/python-facts.js';
import { loadPythonParser, parsePython } from '../../src/scanner/parse/python-parser.js';
import { scanDirectory } from '../../src/scanner/scan.js';
import { formatSummary } from '../../src/scanner/summary.js';
import { printable } from '../../src/scanner/terminal-text.js';
import { looksLikeCredential } from '../../src/scanner/values/credential-shape.js';
import { writeTree } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const AGENT = 'from crewai import Agent\nr = Agent(role="r", goal="g", backstory="b", max_iter=1)\n';
const CREW =
  'from crewai import Agent, Crew, Task\n' +
  'a = Agent(role="r", goal="g", backstory="b")\n' +
  'b = Agent(role="s", goal="g", backstory="b")\n' +
  'crew = Crew(agents=[a, b], tasks=[Task(description="d", expected_output="o", agent=a)])\n';

type Ping = Record<string, unknown>;

describe('hostile repositories', () => {
  it('reads a file whose name is not UTF-8', async () => {
    const dir = path.join(tmp, 'latin1-name');
    mkdirSync(dir, { recursive: true });
    // "café.py" in Latin-1: the byte 0xE9 alone is not UTF-8.
    const name = Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.py')]);
    writeFileSync(name, AGENT);
    const sub = Buffer.concat([Buffer.from(`${dir}/d`), Buffer.from([0xff])]);
    mkdirSync(sub);
    writeFileSync(Buffer.concat([sub, Buffer.from('/crew.py')]), CREW);
    const ping = (await scanRepository(dir)) as Ping;
    expect(ping.parser_errors).toBe(0);
    expect(ping.files_scanned).toBe(2);
    expect(ping.agent_count).toBe(3);
    expect(ping.crew_count).toBe(1);
  });

  it('reads a .gitignore of 130,000 lines (no stack overflow, no parse failure)', async () => {
    const dir = path.join(tmp, 'big-gitignore');
    const lines = Array.from({ length: 130_000 }, (_, i) => `ignored_${i}/`);
    writeTree(dir, { 'app.py': AGENT, '.gitignore': `${lines.join('\n')}\n.env\n` });
    const ping = (await scanRepository(dir)) as Ping;
    expect(ping.parser_errors).toBe(0);
    expect(ping.scan_status).toBe('success');
    expect(ping.has_env_in_gitignore).toBe(true);
  });

  it('keeps only real versions: a 2 MB "version" and a credential in a lockfile are dropped', async () => {
    const huge = path.join(tmp, 'huge-version');
    writeTree(huge, {
      'app.py': AGENT,
      'requirements.txt': `crewai==${'9'.repeat(10)}${'x'.repeat(2_000_000)}\n`,
    });
    const a = (await scanRepository(huge)) as Ping;
    expect(a.framework_versions).toEqual({ CrewAI: null });

    const lock = path.join(tmp, 'credential-version');
    writeTree(lock, {
      'app.py': AGENT,
      'uv.lock': 'version = 1\n[[package]]\nname = "crewai"\nversion = "AKIAIOSFODNN7EXAMPLE"\n',
    });
    const b = (await scanRepository(lock)) as Ping;
    expect(b.framework_versions).toEqual({ CrewAI: null });
    expect(JSON.stringify(b)).not.toContain('AKIA');

    const good = path.join(tmp, 'good-version');
    writeTree(good, { 'app.py': AGENT, 'requirements.txt': 'crewai==0.28.8\n' });
    expect(((await scanRepository(good)) as Ping).framework_versions).toEqual({ CrewAI: '0.28.8' });
  });

  it('reads a hostile setup.py in linear time, keeping only real versions and no credential', async () => {
    const dir = path.join(tmp, 'hostile-setup-py');
    const token = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
    writeTree(dir, {
      'app.py': AGENT,
      // 2 MiB of unterminated `install_requires=[` (a regex looking for the closing bracket
      // from each one would be quadratic), then a credential as a version and a 2 MB version.
      'setup.py': [
        'install_requires=["x", '.repeat(90_000),
        `\nsetup(install_requires=["crewai==1.0+${token}"], extras_require={"x": ["crewai==${'9'.repeat(2_000_000)}"]})\n`,
      ].join(''),
    });
    const started = Date.now();
    const ping = (await scanRepository(dir)) as Ping;
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(ping.framework_versions).toEqual({ CrewAI: null });
    expect(JSON.stringify(ping)).not.toContain('ghp_');

    const good = path.join(tmp, 'good-setup-py');
    writeTree(good, { 'app.py': AGENT, 'setup.py': 'setup(install_requires=["crewai[tools]==0.80.0"])\n' });
    expect(((await scanRepository(good)) as Ping).framework_versions).toEqual({ CrewAI: '0.80.0' });
  });

  it('validates versions and specifiers as such', () => {
    expect(parseRequirement('crewai==0.28.8')?.version).toBe('0.28.8');
    expect(parseRequirement('crewai>=0.28,<0.30')?.version).toBe('>=0.28,<0.30');
    expect(parseRequirement('crewai==1.0.0rc1')?.version).toBe('1.0.0rc1');
    expect(parseRequirement('crewai~=0.1.*')?.version).toBe('~=0.1.*');
    expect(parseRequirement('crewai==ghp_abcdefghijklmnopqrstuvwxyz0123')).toEqual({
      name: 'crewai',
      version: null,
      precision: 'none',
    });
    expect(parseRequirement(`crewai>=${'1.'.repeat(100)}0`)?.version).toBeNull();
  });

  it('never puts a credential-shaped model literal into the ping', async () => {
    const dir = path.join(tmp, 'secret-model');
    const token = `ghp_${'aB3'.repeat(12)}`;
    writeTree(dir, {
      'app.py': `${AGENT}x = Agent(role="x", goal="g", backstory="b", llm="openai:${token}")\ny = "gpt-4o"\n`,
    });
    const ping = (await scanRepository(dir)) as Ping;
    expect(ping.llm_models).toEqual(['gpt-4o']);
    expect(JSON.stringify(ping)).not.toContain('ghp_');
  });

  it('tells credentials from model names', () => {
    for (const model of [
      'gpt-4o-mini',
      'claude-3-sonnet-20240229',
      'qwen/qwen3-30b-a3b-instruct-2507',
      'bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0',
      'mistralai/Mixtral-8x7B-Instruct-v0.1',
      'groq:meta-llama/llama-4-maverick-17b-128e-instruct',
    ])
      expect(looksLikeCredential(model), model).toBe(false);
    for (const secret of [
      `openai:ghp_${'a1B'.repeat(10)}`,
      'AKIAIOSFODNN7EXAMPLE',
      `sk-proj-${'x9Y'.repeat(10)}`,
      `openai:${'Zq8rT2mW9xLp4Kv7Hn3Bc6Dj'}`,
      'https://user:pass@example.com/v1',
    ])
      expect(looksLikeCredential(secret), secret).toBe(true);
  });

  it('escapes file names and names in the text summary', async () => {
    const dir = path.join(tmp, 'escapes');
    writeTree(dir, { 'x\u001b[2Jy\n\u202e.py': CREW });
    const report = await scanDirectory(dir, { repoName: 'evil/\u001b]0;title\u0007name' });
    const text = formatSummary(report);
    expect(report.ping.crew_count).toBe(1);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain('x\\x1b[2Jy\\x0a\\u202e.py');
    expect(text).toContain('evil/\\x1b]0;title\\x07name');
    expect(printable('plain – ünïcode ✓')).toBe('plain – ünïcode ✓');
  });
});

describe('linear, budget-checked fact extraction', () => {
  it('finds the line of each match in one pass, in order or not', () => {
    const source = 'a\nb\n\nc "gpt-4o"\n';
    const lineOf = lineCursor(source);
    expect([0, 2, 4, 5, 7].map(lineOf)).toEqual([1, 2, 3, 4, 4]);
    expect(lineOf(0)).toBe(1);
  });

  it('stops at the deadline instead of running on', async () => {
    const parser = await loadPythonParser();
    const source = 'x = f(1)\n'.repeat(5000);
    const parsed = parsePython(parser, source, Date.now() + 60_000);
    if (!('tree' in parsed)) throw new Error('parse failed');
    try {
      expect(() =>
        extractPythonFacts(parsed.tree, source, {
          path: 'a.py',
          isTest: false,
          isNotebook: false,
          deadline: Date.now() - 1,
        }),
      ).toThrow(ExtractionDeadlineError);
    } finally {
      parsed.tree.delete();
    }
  });

  it('a file of one list of 100,000 model names keeps the lines right and the list bounded', async () => {
    const dir = path.join(tmp, 'model-list');
    const names = Array.from({ length: 100_000 }, (_, i) => `    "gpt-4o-${i}",`);
    writeTree(dir, { 'app.py': `${AGENT}MODELS = [\n${names.join('\n')}\n]\n` });
    const ping = (await scanRepository(dir)) as Ping;
    expect(ping.scan_status).toBe('success');
    expect((ping.llm_models as string[]).length).toBeLessThanOrEqual(1000);
  });
});

describe('nothing from a repository reaches stderr', () => {
  it('YAML with unknown tags and terminal escapes: no warning text on stderr, the ping still made', async () => {
    const dir = path.join(tmp, 'yaml-escapes');
    writeTree(dir, {
      'main.py': AGENT,
      // A control character makes the file a parser error; the unknown tag alone only a warning.
      'mkdocs.yml': 'x: !!python/name:evil\u001b[31mRED\u001b[0m\n',
      'docs/conf.yml': 'y: !!python/object:os.system\n',
    });
    const r = await execa(process.execPath, [scannerCliPath(), 'scan', dir, '--json'], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).parser_errors).toBe(1);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).not.toContain('python/');
  });
});
