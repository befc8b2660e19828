import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildFailurePing,
  DEPLOYMENT_SIGNAL_KEYS,
  type FullPing,
  type Ping,
} from '../../src/core/contract/index.js';

export interface PingSpec {
  repo: string;
  status?: 'success' | 'partial';
  frameworks?: string[];
  risk?: number;
  /** rule id → fix impact (negative). */
  rules?: Record<string, number>;
  deploy?: number;
  topology?: string;
  filesScanned?: number;
  filesTotal?: number;
  stratum?: string;
}

let counter = 0;

/** A small, hand-made, contract-valid success/partial ping whose numbers the test chooses. */
export function ping(spec: PingSpec): FullPing {
  counter++;
  const frameworks = spec.frameworks ?? ['LangChain'];
  const rules = spec.rules ?? {};
  const ruleIds = Object.keys(rules);
  const deploy = spec.deploy ?? 0;
  const signals = Object.fromEntries(DEPLOYMENT_SIGNAL_KEYS.map((k, i) => [k, i < deploy])) as Record<
    (typeof DEPLOYMENT_SIGNAL_KEYS)[number],
    boolean
  >;
  const status = spec.status ?? 'success';
  return {
    scan_id: (0x10000000 + counter).toString(16),
    timestamp: '2026-11-25T08:00:00+00:00',
    scanner_version: 'test',
    repo_hash: `h${counter}`,
    schema_id: 5,
    schema_version: '0.3.2',
    repo_full_name: spec.repo,
    repo_url: `https://github.com/${spec.repo}`,
    selection_stratum: spec.stratum ?? 'langchain_active',
    scan_status: status,
    scan_duration_ms: 100,
    files_scanned: spec.filesScanned ?? 10,
    files_total: spec.filesTotal ?? 10,
    parser_errors: 0,
    failure_reason: status === 'success' ? null : 'parse_timeout',
    agent_count: 1,
    crew_count: 1,
    frameworks,
    framework_versions: Object.fromEntries(frameworks.map((f) => [f, null])),
    archetype_class: 'single_agent',
    total_capabilities: 1,
    capability_distribution: { outbound: 1 },
    trust_level_distribution: { external: 1 },
    trust_crossings: {},
    total_trust_crossings: 0,
    trust_crossing_adjacency: {},
    topology_signature_hash: spec.topology ?? `topo-${spec.repo}`,
    graph_node_count: 2,
    graph_edge_count: 1,
    graph_node_type_distribution: { agent: 1, capability: 1 },
    graph_edge_type_distribution: { tool_of: 1 },
    edge_density: 0.5,
    graph_topology_metrics: {
      diameter: 1,
      avg_degree: 1,
      max_degree: 1,
      clustering_coefficient: 0,
      connected_components: 1,
      longest_chain: 1,
      hub_score: 1,
    },
    crew_size_distribution: [1],
    agent_tool_count_distribution: [1],
    inter_crew_edges: 0,
    finding_rules: ruleIds,
    finding_rule_count: ruleIds.length,
    finding_severities: ruleIds.length ? { HIGH: ruleIds.length } : {},
    finding_confidences: ruleIds.length ? { confirmed: ruleIds.length } : {},
    finding_instance_counts: Object.fromEntries(ruleIds.map((r) => [r, 1])),
    total_finding_instances: ruleIds.length,
    fix_impact_estimates: rules,
    finding_co_occurrence: [],
    per_crew_finding_density: { max: 0, min: 0, mean: 0, median: 0, stddev: 0 },
    findings_by_class: {},
    findings_by_category: {},
    guardrail_count: 0,
    has_any_guardrails: false,
    guardrail_types: [],
    guardrail_linked_count: 0,
    control_bypass_count: 0,
    control_coverage_pct: 0,
    has_hitl_anywhere: false,
    mcp_server_count: 0,
    mcp_remote_count: 0,
    mcp_auth_ratio: 0,
    mcp_pinned_ratio: 0,
    risk_score: spec.risk ?? 0,
    finding_coverages: {},
    severity_downgrades: {},
    blast_radius_distribution: [],
    max_blast_radius: 0,
    crews_clean: 1,
    crews_with_findings: 0,
    env_var_count: 0,
    has_env_in_gitignore: false,
    error_handling_rate: 0,
    timeout_rate: 0,
    checkpoint_type: 'none',
    has_pii: false,
    has_financial_data: false,
    has_financial_tools: false,
    financial_validation_rate: 0,
    data_sensitivity_types: [],
    has_shared_credentials: false,
    mitigation_coverage: {},
    uncontrolled_path_count: 0,
    max_path_hops: 0,
    downward_trust_crossings: 0,
    external_sink_count: 0,
    shared_tool_max_agents: 0,
    incident_match_count: 0,
    incident_ids: [],
    regulatory_framework_count: 0,
    regulatory_surface: [],
    has_agent_identity: false,
    has_shared_context: false,
    has_context_provenance: false,
    has_context_rollback: false,
    has_memory_store: false,
    memory_store_types: [],
    has_learning_loop: false,
    learning_type: null,
    has_eval_framework: false,
    has_eval_conflict: false,
    has_observability: false,
    telemetry_destination_count: 0,
    normalized_features: {
      findings_per_agent: 0,
      findings_per_crew: 0,
      guardrails_per_agent: 0,
      tools_per_agent: 1,
      external_exposure_ratio: 0,
      guardrail_coverage_ratio: 0,
    },
    llm_providers: [],
    llm_models: [],
    provider_confidence: 'unknown',
    repo_metadata: {
      python_file_count: 1,
      yaml_config_count: 0,
      total_loc: 10,
      primary_framework: frameworks[0] ?? '',
      framework_count: frameworks.length,
    },
    deployment_signals: { ...signals, deployment_score: deploy },
  };
}

export function failed(
  repo: string,
  status: 'failed' | 'empty' = 'failed',
  reason: Parameters<typeof buildFailurePing>[0]['reason'] = 'clone_404',
  stratum = 'langchain_active',
): Ping {
  return buildFailurePing({
    repoFullName: repo,
    repoUrl: `https://github.com/${repo}`,
    repoHash: `h-${repo}`,
    selectionStratum: stratum,
    status,
    reason,
    scannerVersion: 'test',
    now: new Date('2026-11-25T08:00:00Z'),
  });
}

export function writeJsonl(dir: string, name: string, rows: ReadonlyArray<unknown>): string {
  const file = path.join(dir, name);
  writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
}

/** A valid manifest row; `forkParent` makes it a fork. */
export function manifestRow(
  repo: string,
  opts: { forkParent?: string; python?: number; other?: number; stratum?: string } = {},
) {
  const languageBytes: Record<string, number> = {};
  if (opts.python) languageBytes.Python = opts.python;
  if (opts.other) languageBytes.Shell = opts.other;
  return {
    repo_full_name: repo,
    repo_url: `https://github.com/${repo}`,
    repo_hash: `h-${repo}`,
    org: repo.split('/')[0],
    github_stars: 1,
    github_forks: 0,
    github_size_kb: 10,
    last_commit_date: '2026-01-01T00:00:00Z',
    repo_created_date: '2025-01-01T00:00:00Z',
    is_fork: Boolean(opts.forkParent),
    fork_parent: opts.forkParent ?? null,
    license: null,
    github_topics: [],
    primary_language:
      opts.python && opts.python >= (opts.other ?? 0) ? 'Python' : opts.other ? 'Shell' : null,
    language_bytes: languageBytes,
    default_branch: 'main',
    head_sha: null,
    is_archived: false,
    discovery_query: 'q',
    selection_stratum: opts.stratum ?? 'langchain_active',
    matched_strata: [opts.stratum ?? 'langchain_active'],
    discovered_at: '2026-11-01T00:00:00Z',
  };
}
