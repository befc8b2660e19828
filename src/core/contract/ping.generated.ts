/* Generated from schema/ping.schema.json by scripts/gen-contract-types.mjs. Do not edit. */

/**
 * One scan of one repository (schema_version 0.3.2, schema_id 5). See docs/ping-v0.3.2.md. Cross-field invariants live in src/core/contract/invariants.ts.
 */
export type Ping = {
  /**
   * unique id of this scan (hex, >= 8 chars)
   */
  scan_id: string;
  /**
   * ISO-8601 time the scan finished, with offset
   */
  timestamp: string;
  scanner_version: string;
  /**
   * stable anonymised id of the repository
   */
  repo_hash: string;
  schema_id: 5;
  schema_version: '0.3.2';
  repo_full_name: string;
  repo_url: string;
  selection_stratum: string;
  scan_status: 'success' | 'partial' | 'empty' | 'failed';
  scan_duration_ms: number;
  files_scanned: number;
  files_total: number;
  parser_errors: number;
  failure_reason:
    | null
    | (
        | 'clone_404'
        | 'clone_timeout'
        | 'clone_rate_limited'
        | 'clone_error'
        | 'too_large'
        | 'parse_timeout'
        | 'parse_crash'
        | 'invalid_json'
        | 'no_python'
        | 'no_agents'
        | 'worker_exception'
        | 'scan_budget_exceeded'
        | 'commit_missing'
      );
  /**
   * @maxItems 1000
   */
  matched_strata?: string[];
  failure_detail?: string | null;
  /**
   * the commit this row describes: the commit scanned, or for a failed row the commit the job was to scan (null when none was known). Written by the pipeline, not the scanner; see docs/reproducibility.md
   */
  commit_sha?: string | null;
  /**
   * where commit_sha came from: head_sha = the manifest's frozen commit; default_branch = the manifest froze none, the default branch head at clone time; moved_head = the frozen commit was gone and --allow-moved-head scanned the default branch instead
   */
  commit_source?: 'head_sha' | 'default_branch' | 'moved_head';
  /**
   * with commit_source moved_head: the manifest's frozen commit that the remote no longer had
   */
  frozen_head_sha?: string;
  /**
   * Optional (project extension of 0.3.2): display name of the framework whose own repository this is; its examples and cookbook code were scanned as uses of it, its own package was not (docs/scanner-calibration.md).
   */
  framework_self_scan?: string;
  is_rescan?: boolean;
  prev_score?: number;
  score_delta?: number;
  resolved_count?: number;
  new_count?: number;
  pre_scan_id?: string;
  agent_count?: number;
  crew_count?: number;
  /**
   * @maxItems 1000
   */
  frameworks?: string[];
  framework_versions?: {
    [k: string]: string | null;
  };
  archetype_class?: string;
  total_capabilities?: number;
  capability_distribution?: {
    [k: string]: number;
  };
  trust_level_distribution?: {
    [k: string]: number;
  };
  trust_crossings?: {
    [k: string]: number;
  };
  total_trust_crossings?: number;
  trust_crossing_adjacency?: {
    [k: string]: number;
  };
  topology_signature_hash?: string;
  graph_node_count?: number;
  graph_edge_count?: number;
  graph_node_type_distribution?: {
    [k: string]: number;
  };
  graph_edge_type_distribution?: {
    [k: string]: number;
  };
  edge_density?: number;
  graph_topology_metrics?: {
    diameter: number;
    avg_degree: number;
    max_degree: number;
    clustering_coefficient: number;
    connected_components: number;
    longest_chain: number;
    hub_score: number;
  };
  crew_size_distribution?: number[];
  agent_tool_count_distribution?: number[];
  inter_crew_edges?: number;
  /**
   * @maxItems 1000
   */
  finding_rules?: string[];
  finding_rule_count?: number;
  finding_severities?: {
    [k: string]: number;
  };
  finding_confidences?: {
    [k: string]: number;
  };
  finding_instance_counts?: {
    [k: string]: number;
  };
  total_finding_instances?: number;
  fix_impact_estimates?: {
    [k: string]: number;
  };
  finding_co_occurrence?: string[][];
  per_crew_finding_density?: {
    max: number;
    min: number;
    mean: number;
    median: number;
    stddev: number;
  };
  findings_by_class?: {
    [k: string]: number;
  };
  findings_by_category?: {
    [k: string]: number;
  };
  guardrail_count?: number;
  has_any_guardrails?: boolean;
  /**
   * @maxItems 1000
   */
  guardrail_types?: string[];
  guardrail_linked_count?: number;
  control_bypass_count?: number;
  control_coverage_pct?: number;
  has_hitl_anywhere?: boolean;
  mcp_server_count?: number;
  mcp_remote_count?: number;
  mcp_auth_ratio?: number;
  mcp_pinned_ratio?: number;
  risk_score?: number;
  finding_coverages?: {};
  severity_downgrades?: {};
  blast_radius_distribution?: number[];
  max_blast_radius?: number;
  crews_clean?: number;
  crews_with_findings?: number;
  total_tool_count?: number;
  env_var_count?: number;
  has_env_in_gitignore?: boolean;
  error_handling_rate?: number;
  timeout_rate?: number;
  /**
   * none | memory | persistent; the 0.3.1 scanner's synonyms memory_only (= memory) and durable (= persistent) are accepted as written
   */
  checkpoint_type?: 'none' | 'memory' | 'persistent' | 'memory_only' | 'durable';
  has_pii?: boolean;
  has_financial_data?: boolean;
  has_financial_tools?: boolean;
  financial_validation_rate?: number;
  /**
   * @maxItems 1000
   */
  data_sensitivity_types?: string[];
  has_shared_credentials?: boolean;
  mitigation_coverage?: {
    [k: string]: number;
  };
  uncontrolled_path_count?: number;
  max_path_hops?: number;
  downward_trust_crossings?: number;
  external_sink_count?: number;
  shared_tool_max_agents?: number;
  incident_match_count?: number;
  /**
   * @maxItems 1000
   */
  incident_ids?: string[];
  regulatory_framework_count?: number;
  /**
   * @maxItems 1000
   */
  regulatory_surface?: string[];
  has_agent_identity?: boolean;
  has_shared_context?: boolean;
  has_context_provenance?: boolean;
  has_context_rollback?: boolean;
  has_memory_store?: boolean;
  /**
   * @maxItems 1000
   */
  memory_store_types?: string[];
  has_learning_loop?: boolean;
  learning_type?: null | ('none' | 'context_level' | 'persistent');
  has_eval_framework?: boolean;
  has_eval_conflict?: boolean;
  has_observability?: boolean;
  telemetry_destination_count?: number;
  normalized_features?: {
    findings_per_agent: number;
    findings_per_crew: number;
    guardrails_per_agent: number;
    tools_per_agent: number;
    external_exposure_ratio: number;
    guardrail_coverage_ratio: number;
  };
  /**
   * @maxItems 1000
   */
  llm_providers?: string[];
  /**
   * @maxItems 1000
   */
  llm_models?: string[];
  provider_confidence?: 'detected' | 'inferred_env_var' | 'inferred_framework' | 'unknown';
  repo_metadata?: {
    python_file_count: number;
    yaml_config_count: number;
    total_loc: number;
    primary_framework: string;
    framework_count: number;
  };
  deployment_signals?: {
    has_dockerfile: boolean;
    has_ci_config: boolean;
    has_tests: boolean;
    has_lockfile: boolean;
    has_env_example: boolean;
    deployment_score: number;
  };
};
