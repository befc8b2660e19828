import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/core/run-process.js';
import { scannerCliPath } from '../../src/scanner/index.js';
import { toSarif } from '../../src/scanner/report/sarif.js';
import { RULES } from '../../src/scanner/rules/registry.js';
import { scanDirectory } from '../../src/scanner/scan.js';
import { FIXTURES } from './helpers.js';

const schema = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../support/sarif/sarif-2.1.0-rtm.5.json'), 'utf8'),
);
// The schema's `language` pattern has a stray `]`, valid only without the `u` flag.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  a: unknown,
) => void;
addFormats(ajv);
const validate = ajv.compile(schema);

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { rules: { id: string; properties: Record<string, unknown> }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
  }[];
}

describe('--format sarif', () => {
  it('is valid SARIF 2.1.0 with one result per finding instance and every rule described', async () => {
    const report = await scanDirectory(path.join(FIXTURES, 'crewai-multi'));
    expect(report.findings.length).toBeGreaterThan(0);
    const log = toSarif(report, '0.0.0-test') as SarifLog;
    const ok = validate(log);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    const run = log.runs[0] as SarifLog['runs'][0];
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const instances = report.findings.reduce((n, f) => n + f.instances.length, 0);
    expect(run.results).toHaveLength(instances);
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
      expect(['error', 'warning', 'note']).toContain(r.level);
      const loc = r.locations[0]?.physicalLocation;
      expect(loc?.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc?.artifactLocation.uri).not.toMatch(/^\//);
    }
    expect(run.tool.driver.rules[0]?.properties['security-severity']).toMatch(/^\d+\.\d$/);
  });

  it('is valid for an empty repository too, and encodes odd file names as URI references', async () => {
    const empty = toSarif(await scanDirectory(path.join(FIXTURES, 'neg-no-python')), '0.0.0-test');
    expect(validate(empty)).toBe(true);
    const report = await scanDirectory(path.join(FIXTURES, 'crewai-multi'));
    const f = report.findings[0];
    if (!f) throw new Error('fixture has no finding');
    report.findings = [{ ...f, instances: [{ file: 'dir with space/ü#?.py', line: 3 }] }];
    const log = toSarif(report, '0.0.0-test') as SarifLog;
    expect(validate(log)).toBe(true);
    expect(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      'dir%20with%20space/%C3%BC%23%3F.py',
    );
  });

  it('the CLI prints it; --fail-on exits 3 at or above the severity, 0 below; bad values exit 2', async () => {
    const dir = path.join(FIXTURES, 'crewai-multi');
    const cli = scannerCliPath();
    const report = await scanDirectory(dir);
    const severities = new Set(report.findings.map((f) => f.rule.severity));
    const sarif = await runProcess(process.execPath, [cli, 'scan', dir, '--format', 'sarif'], {
      timeoutMs: 60_000,
    });
    expect(sarif.exitCode).toBe(0);
    expect(validate(JSON.parse(sarif.stdout))).toBe(true);

    const low = await runProcess(process.execPath, [cli, 'scan', dir, '--json', '--fail-on', 'low'], {
      timeoutMs: 60_000,
    });
    expect(low.exitCode).toBe(3);
    expect(JSON.parse(low.stdout).scan_status).toBe('success');
    if (!severities.has('CRITICAL')) {
      const critical = await runProcess(process.execPath, [cli, 'scan', dir, '--fail-on', 'critical'], {
        timeoutMs: 60_000,
      });
      expect(critical.exitCode).toBe(0);
    }
    const bad = await runProcess(process.execPath, [cli, 'scan', dir, '--fail-on', 'severe'], {
      timeoutMs: 60_000,
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderrTail).toMatch(/--fail-on must be one of low, medium, high, critical, got "severe"/);
    const clash = await runProcess(process.execPath, [cli, 'scan', dir, '--json', '--format', 'sarif'], {
      timeoutMs: 60_000,
    });
    expect(clash.exitCode).toBe(2);
  });
});
