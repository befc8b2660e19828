import type { ContractIssue } from './issues.js';

/**
 * The cross-field invariants of ping v0.3.2 (spec §"Cross-field invariants"), as code beside
 * the schema. Each check returns every violation it finds, never only the first. Checks read
 * fields defensively: the schema may already have failed on the same ping, and both lists of
 * errors are reported together.
 */
export const FAILURE_CODES = [
  'clone_404',
  'clone_timeout',
  'clone_rate_limited',
  'clone_error',
  'too_large',
  'parse_timeout',
  'parse_crash',
  'invalid_json',
  'no_python',
  'no_agents',
  'worker_exception',
  'scan_budget_exceeded',
  'commit_missing',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

export const DEPLOYMENT_SIGNAL_KEYS = [
  'has_dockerfile',
  'has_ci_config',
  'has_tests',
  'has_lockfile',
  'has_env_example',
] as const;

type Obj = Record<string, unknown>;

export interface InvariantContext {
  /** The manifest row's repo_full_name the job was for (invariant 11). */
  expectedRepoFullName?: string;
}

export interface Invariant {
  id: number;
  title: string;
  check(ping: Obj, ctx: InvariantContext): ContractIssue[];
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (p: Obj, k: string) => p[k] !== undefined;
const sum = (o: unknown): number =>
  isObj(o) ? Object.values(o).reduce<number>((a, v) => a + (typeof v === 'number' ? v : 0), 0) : 0;
const keysOf = (o: unknown): string[] => (isObj(o) ? Object.keys(o) : []);
const sameSet = (a: readonly string[], b: readonly string[]) => {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
};
const fmt = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '(none)');
const issue = (pointer: string, message: string): ContractIssue => ({ pointer, message });

export const INVARIANTS: readonly Invariant[] = [
  {
    id: 1,
    title: 'schema identity',
    check(p) {
      const out: ContractIssue[] = [];
      if (p.schema_id !== 5)
        out.push(issue('/schema_id', `schema_id must be 5, got ${JSON.stringify(p.schema_id)}`));
      if (p.schema_version !== '0.3.2')
        out.push(
          issue('/schema_version', `schema_version must be "0.3.2", got ${JSON.stringify(p.schema_version)}`),
        );
      return out;
    },
  },
  {
    id: 2,
    title: 'finding rule count',
    check(p) {
      if (!has(p, 'finding_rules') && !has(p, 'finding_severities')) return [];
      const rules = Array.isArray(p.finding_rules) ? p.finding_rules : [];
      const out: ContractIssue[] = [];
      if (p.finding_rule_count !== rules.length)
        out.push(
          issue(
            '/finding_rule_count',
            `finding_rule_count (${p.finding_rule_count}) must equal the number of finding_rules (${rules.length})`,
          ),
        );
      if (has(p, 'finding_severities') && sum(p.finding_severities) !== p.finding_rule_count)
        out.push(
          issue(
            '/finding_severities',
            `finding_severities sum to ${sum(p.finding_severities)}, finding_rule_count is ${p.finding_rule_count}`,
          ),
        );
      return out;
    },
  },
  {
    id: 3,
    title: 'finding instance counts',
    check(p) {
      if (!has(p, 'finding_instance_counts')) return [];
      const out: ContractIssue[] = [];
      const rules = (Array.isArray(p.finding_rules) ? p.finding_rules : []) as string[];
      const keys = keysOf(p.finding_instance_counts);
      if (!sameSet(keys, rules)) {
        const missing = rules.filter((r) => !keys.includes(r));
        const extra = keys.filter((k) => !rules.includes(k));
        out.push(
          issue(
            '/finding_instance_counts',
            `keys must equal finding_rules; missing: ${fmt(missing)}; not in finding_rules: ${fmt(extra)}`,
          ),
        );
      }
      if (p.total_finding_instances !== sum(p.finding_instance_counts))
        out.push(
          issue(
            '/total_finding_instances',
            `total_finding_instances (${p.total_finding_instances}) must equal the sum of finding_instance_counts (${sum(p.finding_instance_counts)})`,
          ),
        );
      return out;
    },
  },
  {
    id: 4,
    title: 'distribution lengths',
    check(p) {
      const out: ContractIssue[] = [];
      if (Array.isArray(p.crew_size_distribution) && p.crew_size_distribution.length !== p.crew_count)
        out.push(
          issue(
            '/crew_size_distribution',
            `has ${p.crew_size_distribution.length} entries, crew_count is ${p.crew_count}`,
          ),
        );
      if (
        Array.isArray(p.agent_tool_count_distribution) &&
        p.agent_tool_count_distribution.length !== p.agent_count
      )
        out.push(
          issue(
            '/agent_tool_count_distribution',
            `has ${p.agent_tool_count_distribution.length} entries, agent_count is ${p.agent_count}`,
          ),
        );
      return out;
    },
  },
  {
    id: 5,
    title: 'framework versions keys',
    check(p) {
      if (!has(p, 'framework_versions')) return [];
      const fws = (Array.isArray(p.frameworks) ? p.frameworks : []) as string[];
      const keys = keysOf(p.framework_versions);
      if (sameSet(keys, fws)) return [];
      return [
        issue(
          '/framework_versions',
          `keys must equal frameworks; missing: ${fmt(fws.filter((f) => !keys.includes(f)))}; not in frameworks: ${fmt(keys.filter((k) => !fws.includes(k)))}`,
        ),
      ];
    },
  },
  {
    id: 6,
    title: 'deployment score',
    check(p) {
      const ds = p.deployment_signals;
      if (!isObj(ds)) return [];
      const trues = DEPLOYMENT_SIGNAL_KEYS.filter((k) => ds[k] === true).length;
      if (ds.deployment_score === trues) return [];
      return [
        issue(
          '/deployment_signals/deployment_score',
          `deployment_score (${ds.deployment_score}) must equal the number of true signals (${trues})`,
        ),
      ];
    },
  },
  {
    id: 7,
    title: 'inter-crew edges',
    check(p) {
      if (!has(p, 'inter_crew_edges')) return [];
      const v = p.inter_crew_edges as number;
      const edges = p.graph_edge_count as number;
      if (typeof v === 'number' && v >= 0 && (typeof edges !== 'number' || v <= edges)) return [];
      return [
        issue(
          '/inter_crew_edges',
          `inter_crew_edges (${v}) must be between 0 and graph_edge_count (${edges})`,
        ),
      ];
    },
  },
  {
    id: 8,
    title: 'fix impact estimates',
    check(p) {
      if (!isObj(p.fix_impact_estimates)) return [];
      const rules = (Array.isArray(p.finding_rules) ? p.finding_rules : []) as string[];
      const out: ContractIssue[] = [];
      for (const [rule, v] of Object.entries(p.fix_impact_estimates)) {
        const ptr = `/fix_impact_estimates/${rule.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (!Number.isInteger(v) || (v as number) >= 0)
          out.push(issue(ptr, `fix impact of ${rule} must be a negative integer, got ${JSON.stringify(v)}`));
        if (!rules.includes(rule))
          out.push(issue(ptr, `fix impact given for ${rule}, which is not in finding_rules`));
      }
      return out;
    },
  },
  {
    id: 9,
    title: 'consistency of counts',
    check(p) {
      const out: ContractIssue[] = [];
      if (
        typeof p.files_scanned === 'number' &&
        typeof p.files_total === 'number' &&
        p.files_scanned > p.files_total
      )
        out.push(
          issue(
            '/files_scanned',
            `files_scanned (${p.files_scanned}) exceeds files_total (${p.files_total})`,
          ),
        );
      if (has(p, 'guardrail_count') && p.has_any_guardrails !== (p.guardrail_count as number) > 0)
        out.push(
          issue(
            '/has_any_guardrails',
            `has_any_guardrails (${p.has_any_guardrails}) must be guardrail_count > 0 (guardrail_count ${p.guardrail_count})`,
          ),
        );
      if (has(p, 'incident_ids')) {
        const n = Array.isArray(p.incident_ids) ? p.incident_ids.length : 0;
        if (p.incident_match_count !== n)
          out.push(
            issue(
              '/incident_match_count',
              `incident_match_count (${p.incident_match_count}) must equal len(incident_ids) (${n})`,
            ),
          );
      }
      if (has(p, 'trust_crossings') && p.total_trust_crossings !== sum(p.trust_crossings))
        out.push(
          issue(
            '/total_trust_crossings',
            `total_trust_crossings (${p.total_trust_crossings}) must equal the sum of trust_crossings (${sum(p.trust_crossings)})`,
          ),
        );
      return out;
    },
  },
  {
    id: 10,
    title: 'status and failure reason',
    check(p) {
      const status = p.scan_status;
      const reason = p.failure_reason;
      if (status === 'success' && reason !== null)
        return [
          issue(
            '/failure_reason',
            `a success ping must have failure_reason null, got ${JSON.stringify(reason)}`,
          ),
        ];
      if (
        (status === 'failed' || status === 'empty') &&
        !(FAILURE_CODES as readonly unknown[]).includes(reason)
      )
        return [
          issue(
            '/failure_reason',
            `a ${status} ping needs a failure code (one of ${FAILURE_CODES.join(', ')}), got ${JSON.stringify(reason)}`,
          ),
        ];
      return [];
    },
  },
  {
    id: 11,
    title: 'repository identity',
    check(p, ctx) {
      if (ctx.expectedRepoFullName === undefined || p.repo_full_name === ctx.expectedRepoFullName) return [];
      return [
        issue(
          '/repo_full_name',
          `repo_full_name ${JSON.stringify(p.repo_full_name)} does not match the manifest row ${JSON.stringify(ctx.expectedRepoFullName)}`,
        ),
      ];
    },
  },
];

export function checkInvariants(ping: Obj, ctx: InvariantContext = {}): ContractIssue[] {
  const out: ContractIssue[] = [];
  for (const inv of INVARIANTS)
    for (const e of inv.check(ping, ctx))
      out.push({ ...e, message: `invariant ${inv.id} (${inv.title}): ${e.message}` });
  return out;
}
