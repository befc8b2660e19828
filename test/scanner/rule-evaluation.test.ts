import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanDirectory } from '../../src/scanner/scan.js';
import { writeTree } from './helpers.js';
import { CREW_HEAD, findingsOf } from './rule-findings.js';

const PINNED = { 'requirements.txt': 'crewai==0.80.0\n' };

async function pingOf(tree: Record<string, string>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-rule-evaluation-'));
  try {
    writeTree(dir, tree);
    return (await scanDirectory(dir)).ping;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How fired rules become findings: instances, blast radius, risk score and fix impact. */
describe('rule evaluation', () => {
  it('two hits on one line are one instance', async () => {
    const ping = await pingOf({
      ...PINNED,
      'a.py': `${CREW_HEAD}from x import FileTools, WriteFileTool\na = FileTools(); b = WriteFileTool()\n`,
    });
    expect(ping.finding_instance_counts).toEqual({ 'SEC-016': 1 });
    expect(ping.total_finding_instances).toBe(1);
  });

  it('instances are ordered by file, then by line as a number', async () => {
    const found = await findingsOf(
      {
        ...PINNED,
        'a.py': `${CREW_HEAD}from crewai import Process\n\n\n\n\n\np = Agent(role="p", goal="g", backstory="b", max_iter=1)\ncrew = Crew(agents=[p], tasks=[], process=Process.hierarchical)\nq = Agent(role="q", goal="g", backstory="b")\n`,
        'B.py': `${CREW_HEAD}${'\n'.repeat(18)}r = Agent(role="r", goal="g", backstory="b")\n`,
      },
      'OPS-004',
    );
    expect(found['OPS-004']?.at).toEqual(['B.py:20', 'a.py:9', 'a.py:10']);
  });

  it('a finding counts for a crew when it touches one of its agents; a repository-wide one does not', async () => {
    const ping = await pingOf({
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b")\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\ncrew = Crew(agents=[a, b], tasks=[])\n`,
    });
    expect(ping.finding_rules).toEqual(['ARC-007', 'OPS-012']);
    expect(ping.per_crew_finding_density).toEqual({ max: 1, min: 1, mean: 1, median: 1, stddev: 0 });
  });

  it('a repository-wide finding touches every agent; one with no agent still touches one', async () => {
    const withAgents = await pingOf({
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b", max_iter=1)\nb = Agent(role="b", goal="g", backstory="b", max_iter=1)\nimport langfuse\n`,
    });
    expect(withAgents.finding_rules).toEqual(['OPS-007', 'OPS-012']);
    expect(withAgents.blast_radius_distribution).toEqual([2, 2]);
    const noAgent = await pingOf({ 'a.py': CREW_HEAD });
    expect(noAgent.blast_radius_distribution).toEqual([1]);
  });

  it('risk: one weight per fired rule (not per instance) on a curve, and what fixing each would gain', async () => {
    expect((await pingOf({ ...PINNED, 'a.py': CREW_HEAD })).risk_score).toBe(0);
    const low = await pingOf({ 'a.py': CREW_HEAD });
    // LOW weighs 3: 3 / (3 + 50) → 6.
    expect(low.risk_score).toBe(6);
    expect(low.fix_impact_estimates).toEqual({ 'OPS-012': -6 });
    const two = await pingOf({
      ...PINNED,
      'a.py': `${CREW_HEAD}a = Agent(role="a", goal="g", backstory="b")\nb = Agent(role="b", goal="g", backstory="b")\nc = Agent(role="c", goal="g", backstory="b")\n`,
    });
    // OPS-004 (MEDIUM, 8) with three instances and ARC-007 (LOW, 3): 11 / 61 → 18.
    expect(two.finding_instance_counts).toEqual({ 'ARC-007': 1, 'OPS-004': 3 });
    expect(two.risk_score).toBe(18);
    expect(two.fix_impact_estimates).toEqual({ 'ARC-007': -4, 'OPS-004': -12 });
  });
});
