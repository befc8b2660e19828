import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssues, validatePing } from '../../src/core/contract/index.js';
import { scanRepository } from '../../src/scanner/index.js';
import { FIXTURES, writeTree } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'stratum-contract-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function expectValid(dir: string, options = {}): Promise<Record<string, unknown>> {
  const repoFullName = 'fixture-owner/fixture-repo';
  const ping = await scanRepository(dir, {
    repoName: repoFullName,
    repoUrl: 'https://github.com/fixture-owner/fixture-repo',
    ...options,
  });
  const result = validatePing(JSON.parse(JSON.stringify(ping)), { repoFullName });
  expect(result.ok ? '' : formatIssues(result.errors), path.basename(dir)).toBe('');
  return ping as Record<string, unknown>;
}

describe('every ping the scanner emits passes the contract', () => {
  const names = readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'scanners') // scanners/: the runner's fake scanners
    .map((d) => d.name)
    .sort();
  for (const name of names)
    it(`fixture ${name}`, async () => void (await expectValid(path.join(FIXTURES, name))));

  it('partial pings (size cap, file budget, time budget, broken syntax)', async () => {
    const dir = path.join(tmp, 'partial');
    const files: Record<string, string> = {
      'a.py': 'from crewai import Agent\na = Agent(role="r", goal="g", backstory="b")\n',
      'broken.py': 'def (:\n',
    };
    for (let i = 0; i < 30; i++) files[`m/m${i}.py`] = `x = ${i}\n`;
    writeTree(dir, files);
    writeFileSync(path.join(dir, 'big.py'), `${'# pad\n'.repeat(5000)}`);
    for (const opts of [{}, { maxFileBytes: 1000 }, { maxFiles: 5 }, { timeBudgetMs: 1 }]) {
      const ping = await expectValid(dir, opts);
      expect(['partial', 'empty']).toContain(ping.scan_status);
    }
  });

  it('the validator is not vacuous: a broken scanner ping is rejected', async () => {
    const ping = await expectValid(path.join(FIXTURES, 'crewai-multi'));
    const broken = { ...ping, finding_rule_count: (ping.finding_rule_count as number) + 1 };
    expect(validatePing(broken).ok).toBe(false);
  });
});
