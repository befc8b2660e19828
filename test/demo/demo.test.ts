import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validatePing } from '../../src/core/contract/index.js';
import { projectRoot } from '../../src/core/project-root.js';
import { runProcess } from '../../src/core/run-process.js';
import { EXAMPLE_REPOS } from '../../src/demo/example-repos.js';
import { tempDir } from '../support/tmp.js';

describe('stratum-pipeline demo', () => {
  const tmp = tempDir('demo');
  afterAll(() => tmp.cleanup());

  it('runs the example repositories through Redis, the workers, the built-in scanner and the audit', async () => {
    const cli = path.join(projectRoot(), 'dist', 'src', 'cli.js');
    const r = await runProcess(process.execPath, [cli, '--data-dir', tmp.dir, 'demo', '--workers', '3'], {
      timeoutMs: 120_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp.dir },
    });
    expect(r.exitCode, r.stderrTail).toBe(0);
    expect(r.stdout).toContain('scan complete');

    const demoDir = path.join(tmp.dir, 'demo');
    const rows = readFileSync(path.join(demoDir, 'scan_results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((p) => p.repo_full_name).sort()).toEqual(
      EXAMPLE_REPOS.map((e) => `demo/${e.name}`).sort(),
    );
    for (const p of rows) expect(validatePing(p).ok).toBe(true);
    const byName = Object.fromEntries(rows.map((p) => [p.repo_full_name.slice(5), p]));
    expect(byName['crewai-research-crew'].frameworks).toContain('CrewAI');
    expect(byName['langgraph-support-bot'].frameworks).toContain('LangGraph');
    expect(byName['readme-only-agents']).toMatchObject({ scan_status: 'empty', failure_reason: 'no_agents' });
    expect(byName['no-python-here']).toMatchObject({ scan_status: 'empty', failure_reason: 'no_python' });

    const report = readFileSync(path.join(demoDir, 'dataset_audit_report.md'), 'utf8');
    expect(report).toContain('G1');
    const train = readFileSync(path.join(demoDir, 'scan_results_train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean);
    const test = readFileSync(path.join(demoDir, 'scan_results_test.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(train.length + test.length).toBeGreaterThan(0);
  });
});
