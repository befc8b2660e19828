import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/scanner/index.js';
import { loadPythonParser } from '../../src/scanner/parse/python-parser.js';
import { readRepository } from '../../src/scanner/read-repository.js';
import { FIXTURES, writeTree } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-walk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const AGENT = 'from crewai import Agent\nr = Agent(role="r", goal="g", backstory="b", max_iter=1)\n';

type Ping = Record<string, unknown> & {
  scan_status: string;
  files_total: number;
  files_scanned: number;
  parser_errors: number;
};

async function scan(dir: string, opts = {}): Promise<Ping> {
  return (await scanRepository(dir, opts)) as Ping;
}

describe('safe walk', () => {
  it('does not follow symlinks: a loop, a link to / and a link out of the repository are skipped', async () => {
    const dir = path.join(tmp, 'symlinks');
    writeTree(dir, { 'app.py': AGENT });
    mkdirSync(path.join(dir, 'sub'));
    symlinkSync(dir, path.join(dir, 'sub', 'loop'));
    symlinkSync('/', path.join(dir, 'root'));
    writeTree(path.join(tmp, 'outside'), { 'evil.py': 'from langgraph.graph import StateGraph\n' });
    symlinkSync(path.join(tmp, 'outside', 'evil.py'), path.join(dir, 'linked.py'));
    const ping = await scan(dir);
    expect(ping.scan_status).toBe('success');
    expect(ping.files_total).toBe(1);
    expect(ping.frameworks).toEqual(['CrewAI']);
  });

  it('skips .git, virtualenvs, node_modules, build output and site-packages', async () => {
    const dir = path.join(tmp, 'skipped');
    const hidden = 'from langgraph.graph import StateGraph\n';
    writeTree(dir, {
      'app.py': AGENT,
      '.git/hooks/x.py': hidden,
      'node_modules/pkg/x.py': hidden,
      'venv/lib/x.py': hidden,
      'myenv/pyvenv.cfg': 'home = /usr\n',
      'myenv/lib/x.py': hidden,
      'build/lib/x.py': hidden,
      'lib/python3.12/site-packages/langgraph/x.py': hidden,
    });
    const ping = await scan(dir);
    expect(ping.frameworks).toEqual(['CrewAI']);
    expect(ping.files_total).toBe(1);
  });

  it('skips binary junk with a source name without counting it as scanned or as an error', async () => {
    const dir = path.join(tmp, 'binary');
    writeTree(dir, { 'app.py': AGENT });
    writeFileSync(
      path.join(dir, 'junk.py'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0, 255, 254]),
    );
    writeFileSync(path.join(dir, 'blob.bin'), Buffer.alloc(1000, 0));
    const ping = await scan(dir);
    expect(ping.scan_status).toBe('success');
    expect([ping.files_scanned, ping.files_total, ping.parser_errors]).toEqual([1, 2, 0]);
  });

  it('a Python file over --max-file-bytes is not read and makes the scan partial', async () => {
    const dir = path.join(tmp, 'large');
    writeTree(dir, { 'app.py': AGENT, 'big.py': `x = 1\n${'# padding\n'.repeat(2000)}` });
    const ping = await scan(dir, { maxFileBytes: 4096 });
    expect(ping.scan_status).toBe('partial');
    expect(ping.failure_reason).toBe('scan_budget_exceeded');
    expect([ping.files_scanned, ping.files_total]).toEqual([1, 2]);
  });

  it('a 50 MB Python file under the default caps ends partial, not in a crash', async () => {
    const dir = path.join(tmp, 'huge');
    writeTree(dir, { 'app.py': AGENT });
    const line = 'value = call(argument_one, argument_two)  # filler\n';
    writeFileSync(path.join(dir, 'huge.py'), line.repeat(Math.ceil((50 * 1024 * 1024) / line.length)));
    const ping = await scan(dir);
    expect(ping.scan_status).toBe('partial');
    expect(ping.agent_count).toBe(1);
  });

  it('--max-files bounds the files read and the scan is partial with honest counts', async () => {
    const dir = path.join(tmp, 'many');
    const files: Record<string, string> = { 'a_app.py': AGENT };
    for (let i = 0; i < 300; i++)
      files[`pkg/m${String(i).padStart(3, '0')}.py`] = `def f${i}():\n    return ${i}\n`;
    writeTree(dir, files);
    const ping = await scan(dir, { maxFiles: 50 });
    expect(ping.scan_status).toBe('partial');
    expect(ping.failure_reason).toBe('scan_budget_exceeded');
    // Every candidate is counted; only the budget's worth is read.
    expect(ping.files_total).toBe(301);
    expect(ping.files_scanned).toBe(50);
  });

  it('the file budget reads agent code first, wherever the walk meets it', async () => {
    const dir = path.join(tmp, 'agent-last');
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++)
      files[`aaa/m${String(i).padStart(3, '0')}.py`] = `def f${i}():\n    return ${i}\n`;
    files['zzz/crew.py'] = AGENT;
    writeTree(dir, files);
    const ping = await scan(dir, { maxFiles: 50 });
    expect(ping.scan_status).toBe('partial');
    expect(ping.failure_reason).toBe('scan_budget_exceeded');
    expect(ping.agent_count).toBe(1);
  });

  it('a file budget hit before any framework was found is partial, not empty', async () => {
    const dir = path.join(tmp, 'no-framework-read');
    const files: Record<string, string> = {};
    for (let i = 0; i < 60; i++) files[`m${String(i).padStart(3, '0')}.py`] = `x = ${i}\n`;
    writeTree(dir, files);
    const ping = await scan(dir, { maxFiles: 10 });
    expect(ping.scan_status).toBe('partial');
    expect(ping.failure_reason).toBe('scan_budget_exceeded');
  });

  it('respects the time budget', async () => {
    const dir = path.join(tmp, 'slow');
    const files: Record<string, string> = { 'a_app.py': AGENT };
    const body = 'def f(x):\n    return [y for y in range(x) if y % 3 == 0]\n'.repeat(2000);
    for (let i = 0; i < 40; i++) files[`pkg/m${i}.py`] = body;
    writeTree(dir, files);
    const started = Date.now();
    const ping = await scan(dir, { timeBudgetMs: 150 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ping.scan_status).toBe('partial');
    expect(ping.files_scanned).toBeLessThan(41);
  });
});

describe('determinism', () => {
  it('the same repository gives the same ping except scan_id, timestamp and duration', async () => {
    const strip = (p: Ping) => {
      const { scan_id, timestamp, scan_duration_ms, ...rest } = p;
      expect(scan_id).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof timestamp).toBe('string');
      expect(scan_duration_ms).toBeGreaterThanOrEqual(0);
      return JSON.stringify(rest);
    };
    for (const name of ['crewai-multi', 'langgraph-multi', 'autogen-multi']) {
      const a = await scan(path.join(FIXTURES, name));
      const b = await scan(path.join(FIXTURES, name));
      expect(strip(a)).toBe(strip(b));
    }
  });
});

describe('memory budget of the kept facts', () => {
  const dir = path.join(tmp, 'budget');
  const files: Record<string, string> = { 'app.py': AGENT };
  for (let i = 0; i < 30; i++)
    files[`pkg/mod_${String(i).padStart(2, '0')}.py`] =
      `import os\n${Array.from({ length: 10 }, (_, f) => `def f${f}():\n    x = os.getenv("K${f}")\n    return len(x)\n`).join('')}`;
  writeTree(dir, files);
  const limits = {
    maxFiles: 1000,
    maxEntries: 10_000,
    maxFileBytes: 1 << 20,
    deadline: Date.now() + 600_000,
  };

  it('stops reading at the facts budget, the same file every time, and marks the stop', async () => {
    const parser = await loadPythonParser();
    const all = await readRepository(dir, parser, limits);
    expect(all.python).toHaveLength(31);
    expect(all.stats.budgetHit).toBeNull();
    const perFile = all.python.map(
      (f) => f.calls.length + f.functions.length + f.assigns.length + f.imports.length + f.classes.length,
    );
    const budget = { facts: perFile.slice(0, 10).reduce((a, b) => a + b, 0), sourceBytes: 1 << 30 };
    const first = await readRepository(dir, parser, limits, budget);
    const again = await readRepository(dir, parser, limits, budget);
    // The file that crosses the budget is kept; every later file is left out.
    expect(first.python.length).toBe(11);
    expect(again.python.map((f) => f.path)).toEqual(first.python.map((f) => f.path));
    expect(first.stats).toMatchObject({ budgetHit: 'max_facts', sourceSkipped: true, filesScanned: 11 });
  });

  it('stops reading at the source-bytes budget', async () => {
    const parser = await loadPythonParser();
    const limited = await readRepository(dir, parser, limits, { facts: 1e9, sourceBytes: 1000 });
    expect(limited.python.length).toBeGreaterThan(0);
    expect(limited.python.length).toBeLessThan(31);
    expect(limited.stats.budgetHit).toBe('max_facts');
  });
});
