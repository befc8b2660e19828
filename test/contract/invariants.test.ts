import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFailurePing, INVARIANTS, validatePing } from '../../src/core/contract/index.js';
import { conformanceDir } from '../support/conformance.js';

function basePing(): Record<string, any> {
  return JSON.parse(readFileSync(path.join(conformanceDir(), 'crewAIInc__crewAI-examples.json'), 'utf8'));
}

function errorsOf(ping: unknown, repo?: string): string[] {
  const r = validatePing(ping, repo ? { repoFullName: repo } : {});
  return r.ok ? [] : r.errors.map((e) => `${e.pointer} ${e.message}`);
}

/** One deliberately broken ping per invariant: the mutation and the pointer it must be reported at. */
const BREAKS: Array<{ id: number; mutate: (p: Record<string, any>) => void; pointer: string }> = [
  { id: 1, mutate: (p) => (p.schema_version = '0.3.1'), pointer: '/schema_version' },
  { id: 2, mutate: (p) => (p.finding_rule_count += 1), pointer: '/finding_rule_count' },
  {
    id: 3,
    mutate: (p) => {
      p.finding_instance_counts['NOT-A-RULE'] = 2;
      p.total_finding_instances += 2;
    },
    pointer: '/finding_instance_counts',
  },
  { id: 4, mutate: (p) => p.crew_size_distribution.push(1), pointer: '/crew_size_distribution' },
  { id: 5, mutate: (p) => (p.framework_versions.DSPy = null), pointer: '/framework_versions' },
  {
    id: 6,
    mutate: (p) => (p.deployment_signals.deployment_score = (p.deployment_signals.deployment_score + 1) % 6),
    pointer: '/deployment_signals/deployment_score',
  },
  { id: 7, mutate: (p) => (p.inter_crew_edges = p.graph_edge_count + 1), pointer: '/inter_crew_edges' },
  {
    id: 8,
    mutate: (p) => {
      const rule = p.finding_rules[0];
      p.fix_impact_estimates[rule] = 3;
    },
    pointer: '/fix_impact_estimates/',
  },
  { id: 9, mutate: (p) => (p.files_scanned = p.files_total + 1), pointer: '/files_scanned' },
  { id: 10, mutate: (p) => (p.failure_reason = 'clone_404'), pointer: '/failure_reason' },
  { id: 11, mutate: (p) => (p.repo_full_name = 'someone/else'), pointer: '/repo_full_name' },
];

describe('cross-field invariants', () => {
  it('the base ping is valid', () => {
    const p = basePing();
    expect(errorsOf(p, p.repo_full_name)).toEqual([]);
  });

  it('covers every invariant of the dictionary', () => {
    expect(BREAKS.map((b) => b.id)).toEqual(INVARIANTS.map((i) => i.id));
  });

  for (const b of BREAKS) {
    it(`invariant ${b.id} is reported at ${b.pointer}`, () => {
      const p = basePing();
      const repo = p.repo_full_name;
      b.mutate(p);
      const errors = errorsOf(p, repo);
      expect(errors.some((e) => e.startsWith(b.pointer) && e.includes(`invariant ${b.id}`))).toBe(true);
    });
  }

  it('reports every error at once, not only the first', () => {
    const p = basePing();
    p.finding_rule_count += 1;
    p.files_scanned = p.files_total + 5;
    p.has_any_guardrails = !p.has_any_guardrails;
    p.risk_score = 101;
    const errors = errorsOf(p);
    expect(errors.filter((e) => /invariant (2|9)/.test(e)).length).toBeGreaterThanOrEqual(3);
    expect(errors.some((e) => e.startsWith('/risk_score'))).toBe(true);
  });

  it('checks the invariant-9 identities separately', () => {
    const p = basePing();
    p.incident_ids = ['X-1'];
    p.total_trust_crossings += 1;
    const errors = errorsOf(p);
    expect(errors.some((e) => e.startsWith('/incident_match_count'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/total_trust_crossings'))).toBe(true);
  });

  it('rejects non-objects and names missing fields', () => {
    expect(errorsOf([])).toEqual(['/ a ping must be a JSON object']);
    const p = basePing();
    delete p.risk_score;
    expect(errorsOf(p)).toContain('/risk_score required field is missing');
  });
});

describe('failed and empty pings', () => {
  const input = {
    repoFullName: 'acme/agent',
    repoUrl: 'https://github.com/acme/agent',
    repoHash: 'abc123',
    selectionStratum: 'crewai',
    scannerVersion: 'test',
  };

  it('the lighter shape passes for failed and empty', () => {
    expect(validatePing(buildFailurePing({ ...input, status: 'failed', reason: 'clone_404' })).ok).toBe(true);
    expect(validatePing(buildFailurePing({ ...input, status: 'empty', reason: 'no_agents' })).ok).toBe(true);
  });

  it('a failed ping must carry zeroed summary fields and a failure code', () => {
    const p = buildFailurePing({ ...input, status: 'failed', reason: 'clone_404' }) as Record<
      string,
      unknown
    >;
    p.risk_score = 10;
    p.failure_reason = null;
    const errors = errorsOf(p);
    expect(errors.some((e) => e.startsWith('/risk_score'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/failure_reason') && e.includes('invariant 10'))).toBe(true);
  });

  it('scrubs credentials from failure_detail and caps it at 500 characters', () => {
    const p = buildFailurePing({
      ...input,
      status: 'failed',
      reason: 'clone_error',
      detail: `fatal: https://x:ghp_${'a'.repeat(36)}@github.com/acme/agent ${'y'.repeat(900)}`,
      secrets: ['super-secret'],
    });
    expect(p.failure_detail).not.toContain('ghp_');
    expect(p.failure_detail!.length).toBe(500);
  });
});
