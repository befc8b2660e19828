import { describe, expect, it } from 'vitest';
import { checkInvariants, FAILURE_CODES } from '../../src/core/contract/invariants.js';

// Every cross-field invariant of ping v0.3.2, one change at a time from a ping that keeps them
// all: the exact issues a quarantine record would carry (pointer and message), and the changes
// an invariant must let pass. The reference pipeline's own acceptance rules (finding rule count =
// Σ finding_severities, and the rest) are among them, so a check that goes missing fails here.

type Ping = Record<string, unknown>;

function basePing(): Ping {
  return {
    schema_id: 5,
    schema_version: '0.3.2',
    repo_full_name: 'acme/agents',
    scan_status: 'success',
    failure_reason: null,
    finding_rules: ['SEC-001', 'OPS-002'],
    finding_rule_count: 2,
    finding_severities: { critical: 1, high: 1 },
    finding_instance_counts: { 'SEC-001': 3, 'OPS-002': 1 },
    total_finding_instances: 4,
    crew_count: 2,
    crew_size_distribution: [2, 3],
    agent_count: 3,
    agent_tool_count_distribution: [1, 0, 2],
    frameworks: ['crewai', 'langchain'],
    framework_versions: { crewai: '0.80.0', langchain: null },
    deployment_signals: {
      has_dockerfile: true,
      has_ci_config: false,
      has_tests: true,
      has_lockfile: false,
      has_env_example: false,
      deployment_score: 2,
    },
    inter_crew_edges: 1,
    graph_edge_count: 4,
    fix_impact_estimates: { 'SEC-001': -3 },
    files_scanned: 5,
    files_total: 6,
    guardrail_count: 1,
    has_any_guardrails: true,
    incident_ids: ['INC-1', 'INC-2'],
    incident_match_count: 2,
    trust_crossings: { user_to_tool: 1, tool_to_llm: 2 },
    total_trust_crossings: 3,
  };
}

function variant(change: (p: Ping) => void): Ping {
  const p = basePing();
  change(p);
  return p;
}

const issue = (pointer: string, id: number, title: string, message: string) => ({
  pointer,
  message: `invariant ${id} (${title}): ${message}`,
});
const signals = (p: Ping) => p.deployment_signals as Record<string, unknown>;

describe('ping invariants, issue for issue', () => {
  it('a ping that keeps them all has no issue', () => {
    expect(checkInvariants(basePing())).toEqual([]);
    expect(checkInvariants(basePing(), { expectedRepoFullName: 'acme/agents' })).toEqual([]);
  });

  const broken: Array<[string, (p: Ping) => void, ReturnType<typeof issue>[]]> = [
    [
      'schema_id 4',
      (p) => (p.schema_id = 4),
      [issue('/schema_id', 1, 'schema identity', 'schema_id must be 5, got 4')],
    ],
    [
      'schema_version 0.3.1',
      (p) => (p.schema_version = '0.3.1'),
      [issue('/schema_version', 1, 'schema identity', 'schema_version must be "0.3.2", got "0.3.1"')],
    ],
    [
      'finding_rule_count one too many',
      (p) => (p.finding_rule_count = 3),
      [
        issue(
          '/finding_rule_count',
          2,
          'finding rule count',
          'finding_rule_count (3) must equal the number of finding_rules (2)',
        ),
        issue(
          '/finding_severities',
          2,
          'finding rule count',
          'finding_severities sum to 2, finding_rule_count is 3',
        ),
      ],
    ],
    [
      'severities summing to more than the rules',
      (p) => (p.finding_severities = { critical: 2, high: 1 }),
      [
        issue(
          '/finding_severities',
          2,
          'finding rule count',
          'finding_severities sum to 3, finding_rule_count is 2',
        ),
      ],
    ],
    [
      'finding_rules missing while severities are there',
      (p) => {
        delete p.finding_rules;
        delete p.fix_impact_estimates;
      },
      [
        issue(
          '/finding_rule_count',
          2,
          'finding rule count',
          'finding_rule_count (2) must equal the number of finding_rules (0)',
        ),
        issue(
          '/finding_instance_counts',
          3,
          'finding instance counts',
          'keys must equal finding_rules; missing: (none); not in finding_rules: SEC-001, OPS-002',
        ),
      ],
    ],
    [
      'finding_rules not a list',
      (p) => {
        p.finding_rules = 'SEC-001';
        delete p.finding_instance_counts;
        delete p.fix_impact_estimates;
      },
      [
        issue(
          '/finding_rule_count',
          2,
          'finding rule count',
          'finding_rule_count (2) must equal the number of finding_rules (0)',
        ),
      ],
    ],
    [
      'instance counts for another rule',
      (p) => (p.finding_instance_counts = { 'SEC-001': 3, 'XYZ-9': 1 }),
      [
        issue(
          '/finding_instance_counts',
          3,
          'finding instance counts',
          'keys must equal finding_rules; missing: OPS-002; not in finding_rules: XYZ-9',
        ),
      ],
    ],
    [
      'instance counts for fewer rules',
      (p) => (p.finding_instance_counts = { 'SEC-001': 4 }),
      [
        issue(
          '/finding_instance_counts',
          3,
          'finding instance counts',
          'keys must equal finding_rules; missing: OPS-002; not in finding_rules: (none)',
        ),
      ],
    ],
    [
      'instance counts for more rules',
      (p) => (p.finding_instance_counts = { 'SEC-001': 3, 'OPS-002': 1, 'NEW-1': 0 }),
      [
        issue(
          '/finding_instance_counts',
          3,
          'finding instance counts',
          'keys must equal finding_rules; missing: (none); not in finding_rules: NEW-1',
        ),
      ],
    ],
    [
      'total instances off by one',
      (p) => (p.total_finding_instances = 5),
      [
        issue(
          '/total_finding_instances',
          3,
          'finding instance counts',
          'total_finding_instances (5) must equal the sum of finding_instance_counts (4)',
        ),
      ],
    ],
    [
      'instance counts not an object',
      (p) => (p.finding_instance_counts = [3, 1]),
      [
        issue(
          '/finding_instance_counts',
          3,
          'finding instance counts',
          'keys must equal finding_rules; missing: SEC-001, OPS-002; not in finding_rules: (none)',
        ),
        issue(
          '/total_finding_instances',
          3,
          'finding instance counts',
          'total_finding_instances (4) must equal the sum of finding_instance_counts (0)',
        ),
      ],
    ],
    [
      'one crew size too many',
      (p) => (p.crew_size_distribution = [2, 3, 1]),
      [issue('/crew_size_distribution', 4, 'distribution lengths', 'has 3 entries, crew_count is 2')],
    ],
    [
      'one agent tool count too few',
      (p) => (p.agent_tool_count_distribution = [1, 0]),
      [issue('/agent_tool_count_distribution', 4, 'distribution lengths', 'has 2 entries, agent_count is 3')],
    ],
    [
      'a framework without its version key',
      (p) => (p.framework_versions = { crewai: '0.80.0', autogen: '0.4' }),
      [
        issue(
          '/framework_versions',
          5,
          'framework versions keys',
          'keys must equal frameworks; missing: langchain; not in frameworks: autogen',
        ),
      ],
    ],
    [
      'a version key for no framework',
      (p) => (p.framework_versions = { crewai: '0.80.0', langchain: null, agno: '1' }),
      [
        issue(
          '/framework_versions',
          5,
          'framework versions keys',
          'keys must equal frameworks; missing: (none); not in frameworks: agno',
        ),
      ],
    ],
    [
      'frameworks not a list',
      (p) => (p.frameworks = 'crewai'),
      [
        issue(
          '/framework_versions',
          5,
          'framework versions keys',
          'keys must equal frameworks; missing: (none); not in frameworks: crewai, langchain',
        ),
      ],
    ],
    [
      'deployment score one too high',
      (p) => (signals(p).deployment_score = 3),
      [
        issue(
          '/deployment_signals/deployment_score',
          6,
          'deployment score',
          'deployment_score (3) must equal the number of true signals (2)',
        ),
      ],
    ],
    ['a signal that is the string "true" does not count', (p) => (signals(p).has_lockfile = 'true'), []],
    [
      'a third true signal',
      (p) => (signals(p).has_env_example = true),
      [
        issue(
          '/deployment_signals/deployment_score',
          6,
          'deployment score',
          'deployment_score (2) must equal the number of true signals (3)',
        ),
      ],
    ],
    [
      'more inter-crew edges than edges',
      (p) => (p.inter_crew_edges = 5),
      [
        issue(
          '/inter_crew_edges',
          7,
          'inter-crew edges',
          'inter_crew_edges (5) must be between 0 and graph_edge_count (4)',
        ),
      ],
    ],
    [
      'negative inter-crew edges',
      (p) => (p.inter_crew_edges = -1),
      [
        issue(
          '/inter_crew_edges',
          7,
          'inter-crew edges',
          'inter_crew_edges (-1) must be between 0 and graph_edge_count (4)',
        ),
      ],
    ],
    [
      'inter-crew edges as text',
      (p) => (p.inter_crew_edges = '1'),
      [
        issue(
          '/inter_crew_edges',
          7,
          'inter-crew edges',
          'inter_crew_edges (1) must be between 0 and graph_edge_count (4)',
        ),
      ],
    ],
    [
      'a fix impact of zero',
      (p) => (p.fix_impact_estimates = { 'SEC-001': 0 }),
      [
        issue(
          '/fix_impact_estimates/SEC-001',
          8,
          'fix impact estimates',
          'fix impact of SEC-001 must be a negative integer, got 0',
        ),
      ],
    ],
    [
      'a fractional fix impact',
      (p) => (p.fix_impact_estimates = { 'OPS-002': -1.5 }),
      [
        issue(
          '/fix_impact_estimates/OPS-002',
          8,
          'fix impact estimates',
          'fix impact of OPS-002 must be a negative integer, got -1.5',
        ),
      ],
    ],
    [
      'a positive fix impact for an unknown rule with / and ~ in its name',
      (p) => (p.fix_impact_estimates = { 'A/b~c': 2 }),
      [
        issue(
          '/fix_impact_estimates/A~1b~0c',
          8,
          'fix impact estimates',
          'fix impact of A/b~c must be a negative integer, got 2',
        ),
        issue(
          '/fix_impact_estimates/A~1b~0c',
          8,
          'fix impact estimates',
          'fix impact given for A/b~c, which is not in finding_rules',
        ),
      ],
    ],
    [
      'more files scanned than there are',
      (p) => (p.files_scanned = 7),
      [issue('/files_scanned', 9, 'consistency of counts', 'files_scanned (7) exceeds files_total (6)')],
    ],
    [
      'guardrails claimed without any',
      (p) => (p.guardrail_count = 0),
      [
        issue(
          '/has_any_guardrails',
          9,
          'consistency of counts',
          'has_any_guardrails (true) must be guardrail_count > 0 (guardrail_count 0)',
        ),
      ],
    ],
    [
      'guardrails counted but not claimed',
      (p) => (p.has_any_guardrails = false),
      [
        issue(
          '/has_any_guardrails',
          9,
          'consistency of counts',
          'has_any_guardrails (false) must be guardrail_count > 0 (guardrail_count 1)',
        ),
      ],
    ],
    [
      'one incident too many',
      (p) => (p.incident_match_count = 3),
      [
        issue(
          '/incident_match_count',
          9,
          'consistency of counts',
          'incident_match_count (3) must equal len(incident_ids) (2)',
        ),
      ],
    ],
    [
      'incident ids not a list',
      (p) => (p.incident_ids = 'INC-1'),
      [
        issue(
          '/incident_match_count',
          9,
          'consistency of counts',
          'incident_match_count (2) must equal len(incident_ids) (0)',
        ),
      ],
    ],
    [
      'trust crossings that do not add up',
      (p) => (p.total_trust_crossings = 4),
      [
        issue(
          '/total_trust_crossings',
          9,
          'consistency of counts',
          'total_trust_crossings (4) must equal the sum of trust_crossings (3)',
        ),
      ],
    ],
    [
      'a success with a failure reason',
      (p) => (p.failure_reason = 'clone_404'),
      [
        issue(
          '/failure_reason',
          10,
          'status and failure reason',
          'a success ping must have failure_reason null, got "clone_404"',
        ),
      ],
    ],
    [
      'a failed row without a failure code',
      (p) => (p.scan_status = 'failed'),
      [
        issue(
          '/failure_reason',
          10,
          'status and failure reason',
          `a failed ping needs a failure code (one of ${FAILURE_CODES.join(', ')}), got null`,
        ),
      ],
    ],
    [
      'an empty row with an unknown code',
      (p) => {
        p.scan_status = 'empty';
        p.failure_reason = 'nothing_here';
      },
      [
        issue(
          '/failure_reason',
          10,
          'status and failure reason',
          `a empty ping needs a failure code (one of ${FAILURE_CODES.join(', ')}), got "nothing_here"`,
        ),
      ],
    ],
  ];
  for (const [what, change, expected] of broken) {
    it(what, () => {
      expect(checkInvariants(variant(change))).toEqual(expected);
    });
  }

  const allowed: Array<[string, (p: Ping) => void]> = [
    [
      'no finding rules and no severities at all, whatever the count says',
      (p) => {
        delete p.finding_rules;
        delete p.finding_severities;
        delete p.finding_instance_counts;
        delete p.fix_impact_estimates;
        p.finding_rule_count = 7;
      },
    ],
    ['no severities, rules counted right', (p) => delete p.finding_severities],
    [
      'severities holding a note that is not a number',
      (p) => (p.finding_severities = { critical: 1, high: 1, note: 'x' }),
    ],
    [
      'no instance counts, whatever the total says',
      (p) => {
        delete p.finding_instance_counts;
        p.total_finding_instances = 99;
      },
    ],
    [
      'distributions that are not lists',
      (p) => {
        p.crew_size_distribution = null;
        p.agent_tool_count_distribution = 'n/a';
      },
    ],
    ['no framework_versions', (p) => delete p.framework_versions],
    [
      'the same frameworks in another order, once each',
      (p) => (p.framework_versions = { langchain: null, crewai: '1' }),
    ],
    ['deployment signals missing', (p) => delete p.deployment_signals],
    ['deployment signals not an object', (p) => (p.deployment_signals = [true, true])],
    ['inter-crew edges equal to the edges', (p) => (p.inter_crew_edges = 4)],
    ['inter-crew edges zero', (p) => (p.inter_crew_edges = 0)],
    [
      'inter-crew edges without an edge count',
      (p) => {
        delete p.graph_edge_count;
        p.inter_crew_edges = 50;
      },
    ],
    [
      'no inter-crew edges field',
      (p) => {
        delete p.inter_crew_edges;
        p.graph_edge_count = -3;
      },
    ],
    ['no fix impact estimates', (p) => (p.fix_impact_estimates = null)],
    ['every file scanned', (p) => (p.files_scanned = 6)],
    [
      'file counts that are not numbers',
      (p) => {
        p.files_scanned = '9';
        p.files_total = 1;
      },
    ],
    [
      'no guardrail count',
      (p) => {
        delete p.guardrail_count;
        p.has_any_guardrails = 'maybe';
      },
    ],
    [
      'no incident ids',
      (p) => {
        delete p.incident_ids;
        p.incident_match_count = 9;
      },
    ],
    [
      'no trust crossings',
      (p) => {
        delete p.trust_crossings;
        p.total_trust_crossings = 9;
      },
    ],
    [
      'a partial row with a reason',
      (p) => {
        p.scan_status = 'partial';
        p.failure_reason = 'parse_timeout';
      },
    ],
    [
      'a partial row without one',
      (p) => {
        p.scan_status = 'partial';
        p.failure_reason = null;
      },
    ],
    [
      'a failed row with its code',
      (p) => {
        p.scan_status = 'failed';
        p.failure_reason = 'clone_timeout';
      },
    ],
    [
      'an empty row with its code',
      (p) => {
        p.scan_status = 'empty';
        p.failure_reason = 'no_agents';
      },
    ],
  ];
  for (const [what, change] of allowed) {
    it(`lets pass: ${what}`, () => {
      expect(checkInvariants(variant(change))).toEqual([]);
    });
  }

  it('a ping for another repository than its manifest row breaks invariant 11', () => {
    expect(checkInvariants(basePing(), { expectedRepoFullName: 'acme/other' })).toEqual([
      issue(
        '/repo_full_name',
        11,
        'repository identity',
        'repo_full_name "acme/agents" does not match the manifest row "acme/other"',
      ),
    ]);
  });
});
