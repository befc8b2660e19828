import { randomBytes } from 'node:crypto';
import { repoHash } from '../../core/repo-hash.js';
import { rowTimestamp } from '../../core/timestamp.js';
import type { Analysis } from '../analysis/analyze.js';
import type { AgentGraph } from '../graph/build-graph.js';
import { round, type TopologyMetrics, topologyMetrics, topologySignature } from '../graph/metrics.js';
import type { ResolvedScanOptions } from '../options.js';
import type { ReadStats } from '../read-repository.js';
import { type Finding, rawRisk, riskFromRaw } from '../rules/evaluate.js';
import { SEVERITY_WEIGHT } from '../rules/rule.js';
import { pingValue, pingValues } from '../values/ping-strings.js';
import type { PingObject } from './ping-types.js';

export const SCHEMA_ID = 5;
export const SCHEMA_VERSION = '0.3.2';

export interface Outcome {
  status: 'success' | 'partial' | 'empty';
  reason: string | null;
  detail: string | null;
}

/** Decides the scan status from what was read and what was found. */
export function scanOutcome(stats: ReadStats, frameworkCount: number, maxFileBytes: number): Outcome {
  const notes: string[] = [];
  if (stats.parserErrors > 0) notes.push(`${stats.parserErrors} file(s) failed to parse`);
  if (stats.skippedTooLarge > 0)
    notes.push(`${stats.skippedTooLarge} file(s) over ${maxFileBytes} bytes not read`);
  if (stats.parseTimeouts > 0) notes.push(`${stats.parseTimeouts} file(s) hit the time budget while parsing`);
  if (stats.budgetHit !== null) notes.push(`walk stopped early: ${stats.budgetHit}`);
  if (stats.skippedBinary > 0) notes.push(`${stats.skippedBinary} binary file(s) skipped`);
  const detail = notes.length > 0 ? notes.join('; ').slice(0, 500) : null;
  if (stats.pythonCandidates === 0) return { status: 'empty', reason: 'no_python', detail };
  // A budget hit before any framework was found says nothing about the rest: partial, not empty.
  const stoppedEarly = stats.parseTimeouts > 0 || stats.budgetHit !== null;
  if (frameworkCount === 0 && !stoppedEarly) return { status: 'empty', reason: 'no_agents', detail };
  if (stats.parseTimeouts > 0) return { status: 'partial', reason: 'parse_timeout', detail };
  if (stats.budgetHit !== null || stats.sourceSkipped)
    return { status: 'partial', reason: 'scan_budget_exceeded', detail };
  if (stats.parserErrors > 0) return { status: 'partial', reason: null, detail };
  return { status: 'success', reason: null, detail: null };
}

function count<T>(items: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) {
    const k = key(x);
    out[k] = (out[k] ?? 0) + 1;
  }
  return sortKeys(out);
}

function sortKeys<V>(o: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k] as V;
  return out;
}

function ratio(n: number, d: number, digits = 4): number {
  return d === 0 ? 0 : round(n / d, digits);
}

export interface Identity {
  options: ResolvedScanOptions;
  scannerVersion: string;
  durationMs: number;
  finishedAt: Date;
}

function identityFields(id: Identity, stats: ReadStats, outcome: Outcome): PingObject {
  const o = id.options;
  const ping: PingObject = {
    scan_id: randomBytes(8).toString('hex'),
    timestamp: rowTimestamp(id.finishedAt),
    scanner_version: id.scannerVersion,
    repo_hash: repoHash(o.repoName || o.repoUrl || 'unnamed'),
    schema_id: SCHEMA_ID,
    schema_version: SCHEMA_VERSION,
    repo_full_name: o.repoName,
    repo_url: o.repoUrl,
    selection_stratum: o.selectionStratum,
    scan_status: outcome.status,
    scan_duration_ms: Math.max(0, Math.round(id.durationMs)),
    files_scanned: stats.filesScanned,
    files_total: stats.filesTotal,
    parser_errors: stats.parserErrors,
    failure_reason: outcome.reason,
  };
  if (outcome.detail !== null) ping.failure_detail = outcome.detail;
  return ping;
}

/**
 * `identity` is asked for last, once every other field is computed, so the ping's
 * `scan_duration_ms` includes building the ping (up to a few ms: the topology signature).
 */
export function buildEmptyPing(identity: () => Identity, stats: ReadStats, outcome: Outcome): PingObject {
  return {
    ...identityFields(identity(), stats, outcome),
    risk_score: 0,
    finding_rule_count: 0,
    agent_count: 0,
    crew_count: 0,
    frameworks: [],
  };
}

function archetype(a: Analysis, groupSizes: number[]): string {
  const multiGroups = a.groups.filter((_, i) => (groupSizes[i] ?? 0) >= 2);
  if (multiGroups.length > 0)
    return multiGroups.every((g) => g.sequential) ? 'pipeline' : 'multi_agent_orchestrator';
  if (a.agents.length >= 2) return 'multi_agent_orchestrator';
  if (a.agents.length === 1) return 'single_agent';
  if (a.tools.length > 0) return 'tool_augmented_llm';
  return 'unknown';
}

function stats(values: number[]) {
  if (values.length === 0) return { max: 0, min: 0, mean: 0, median: 0, stddev: 0 };
  const sorted = [...values].sort((x, y) => x - y);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return {
    max: sorted[sorted.length - 1] as number,
    min: sorted[0] as number,
    mean: round(mean, 2),
    median: round(median, 2),
    stddev: round(Math.sqrt(variance), 2),
  };
}

/** `identity` is asked for last, as in `buildEmptyPing`. */
export function buildFullPing(
  identity: () => Identity,
  read: ReadStats,
  outcome: Outcome,
  a: Analysis,
  g: AgentGraph,
  findings: readonly Finding[],
): PingObject {
  const metrics: TopologyMetrics = topologyMetrics(g);
  const capNodes = g.nodes.filter((n) => n.type === 'capability');
  const capabilityTrust = new Map(g.capabilities.map((c) => [c.key, c.tool.trust]));
  const groupSizes = a.groups.map((grp) => (a.groupMembers.get(grp.id) ?? []).length);
  const agentToolCounts = a.agents.map((ag) => (a.agentCapabilities.get(ag.id) ?? []).length);

  const ruleIds = findings.map((f) => f.rule.id).sort();
  const instanceCounts: Record<string, number> = {};
  for (const f of findings) instanceCounts[f.rule.id] = f.instances.length;
  const raw = rawRisk(findings);
  const risk = riskFromRaw(raw);
  const fixImpact: Record<string, number> = {};
  for (const f of findings) {
    const delta = riskFromRaw(raw - SEVERITY_WEIGHT[f.rule.severity]) - risk;
    if (delta < 0) fixImpact[f.rule.id] = delta;
  }

  // Findings per crew: a finding belongs to a crew when it touches one of its agents.
  const perCrew: number[] = [];
  const pairs = new Set<string>();
  for (const grp of a.groups) {
    const members = new Set(a.groupMembers.get(grp.id) ?? []);
    const fired = findings
      .filter((f) => f.agentIds.some((x) => members.has(x)))
      .map((f) => f.rule.id)
      .sort();
    perCrew.push(fired.length);
    for (let i = 0; i < fired.length; i++)
      for (let j = i + 1; j < fired.length; j++) pairs.add(`${fired[i]}\u0000${fired[j]}`);
  }
  const coOccurrence = [...pairs].sort().map((p) => p.split('\u0000') as [string, string]);

  // Crews each agent belongs to, for edges between crews.
  const crewsOf = new Map<string, Set<string>>();
  for (const grp of a.groups)
    for (const m of a.groupMembers.get(grp.id) ?? []) {
      const s = crewsOf.get(`agent:${m}`) ?? new Set<string>();
      s.add(grp.id);
      crewsOf.set(`agent:${m}`, s);
    }
  const interCrew = g.edges.filter((e) => {
    const x = crewsOf.get(e.from);
    const y = crewsOf.get(e.to);
    return x !== undefined && y !== undefined && ![...x].some((c) => y.has(c));
  }).length;

  const trustCrossings = sortKeys(Object.fromEntries(g.trustCrossings));
  const adjacency: Record<string, number> = {};
  for (const [k, v] of g.trustCrossings) {
    const [from, to] = k.split('→') as [string, string];
    adjacency[k] = (adjacency[k] ?? 0) + v;
    adjacency[`${to}→${from}`] = (adjacency[`${to}→${from}`] ?? 0) + v;
  }

  const guardedAgents = new Set(
    a.guardrails.filter((x) => x.agentId !== null).map((x) => x.agentId as string),
  );
  const hitlAgents = new Set(
    a.guardrails.filter((x) => x.type === 'hitl' && x.agentId !== null).map((x) => x.agentId as string),
  );
  for (const ag of a.agents) if (ag.hitl) hitlAgents.add(ag.id);
  const attached = a.agents.flatMap((ag) =>
    (a.agentCapabilities.get(ag.id) ?? []).map((t) => ({ agent: ag.id, tool: t })),
  );
  const filterTypes = new Set(['output_filter', 'validation']);
  const filteredAgents = new Set(
    a.guardrails.filter((x) => x.agentId !== null && filterTypes.has(x.type)).map((x) => x.agentId as string),
  );
  const anyHitl = a.hitlSites.length > 0;
  const of = (cap: string) => attached.filter((x) => x.tool.capability === cap);
  const outboundAtt = of('outbound');
  const destructiveAtt = of('destructive');
  const financialAtt = of('financial');
  const financialTools = a.tools.filter((t) => t.capability === 'financial');
  const financialValidation = ratio(
    financialAtt.filter((x) => guardedAgents.has(x.agent) || hitlAgents.has(x.agent)).length,
    financialAtt.length,
  );
  const sensitivity = new Set(a.sensitiveData);
  if (financialTools.length > 0) sensitivity.add('financial');
  const credentialNames = [...a.envRefsByName.entries()].filter(([n]) => /KEY|TOKEN|SECRET|PASSWORD/.test(n));
  const incidents = [...new Set(findings.flatMap((f) => f.rule.incidents))].sort();
  const regulatory = new Set(findings.flatMap((f) => f.rule.regulatory));
  if (sensitivity.has('personal') || sensitivity.has('health')) regulatory.add('GDPR Art. 35');
  const regulatorySurface = [...regulatory].sort();
  const paths = g.paths;
  const uncontrolled = paths.filter((p) => !p.controlled);
  const externalAgents = a.agents.filter((ag) =>
    (a.agentCapabilities.get(ag.id) ?? []).some((t) => t.trust === 'external'),
  ).length;
  const nAgents = a.agents.length;
  const nGroups = a.groups.length;
  const shareMax = Math.max(0, ...[...g.toolAgents.values()].map((u) => u.length));
  const guardrailCount = a.guardrails.length;
  const deploymentScore = Object.values(a.deployment).filter(Boolean).length;
  const externalCalls = a.externalCalls;
  const timeoutSites = [
    ...a.modelClients.map((c) => c.hasTimeout),
    ...externalCalls.filter((c) => c.kind === 'http').map((c) => c.hasTimeout),
  ];
  const nodeCount = g.nodes.length;

  const fields = {
    agent_count: nAgents,
    crew_count: nGroups,
    frameworks: a.frameworks.map((f) => f.name),
    framework_versions: Object.fromEntries(a.frameworks.map((f) => [f.name, pingValue(f.version)])),
    archetype_class: archetype(a, groupSizes),
    total_capabilities: capNodes.length,
    capability_distribution: count(capNodes, (n) => n.kind),
    trust_level_distribution: count(capNodes, (n) => capabilityTrust.get(n.key) ?? 'external'),
    trust_crossings: trustCrossings,
    total_trust_crossings: Object.values(trustCrossings).reduce((s, v) => s + v, 0),
    trust_crossing_adjacency: sortKeys(adjacency),
    topology_signature_hash: topologySignature(g),
    graph_node_count: nodeCount,
    graph_edge_count: g.edges.length,
    graph_node_type_distribution: count(g.nodes, (n) => n.type),
    graph_edge_type_distribution: count(g.edges, (e) => e.type),
    edge_density: nodeCount < 2 ? 0 : round(g.edges.length / (nodeCount * (nodeCount - 1)), 6),
    graph_topology_metrics: metrics,
    crew_size_distribution: [...groupSizes].sort((x, y) => y - x),
    agent_tool_count_distribution: [...agentToolCounts].sort((x, y) => y - x),
    inter_crew_edges: interCrew,
    finding_rules: ruleIds,
    finding_rule_count: ruleIds.length,
    finding_severities: count(findings, (f) => f.rule.severity),
    finding_confidences: count(findings, (f) => f.rule.confidence),
    finding_instance_counts: sortKeys(instanceCounts),
    total_finding_instances: Object.values(instanceCounts).reduce((s, v) => s + v, 0),
    fix_impact_estimates: sortKeys(fixImpact),
    finding_co_occurrence: coOccurrence,
    per_crew_finding_density: stats(perCrew),
    findings_by_class: count(findings, (f) => f.rule.ruleClass),
    findings_by_category: count(findings, (f) => f.rule.category),
    guardrail_count: guardrailCount,
    has_any_guardrails: guardrailCount > 0,
    guardrail_types: [...new Set(a.guardrails.map((x) => x.type))].sort(),
    guardrail_linked_count: a.guardrails.filter((x) => x.agentId !== null).length,
    control_bypass_count: a.dangerousFlags.length + a.insecureHttpSites.length,
    control_coverage_pct:
      paths.length === 0 ? 0 : round(((paths.length - uncontrolled.length) / paths.length) * 100, 2),
    has_hitl_anywhere: anyHitl,
    mcp_server_count: a.mcpServers.length,
    mcp_remote_count: a.mcpServers.filter((s) => s.transport === 'remote').length,
    mcp_auth_ratio: ratio(a.mcpServers.filter((s) => s.hasAuth).length, a.mcpServers.length),
    mcp_pinned_ratio: ratio(a.mcpServers.filter((s) => s.pinned).length, a.mcpServers.length),
    risk_score: risk,
    finding_coverages: {},
    severity_downgrades: {},
    blast_radius_distribution: findings.map((f) => f.blastRadius).sort((x, y) => y - x),
    max_blast_radius: Math.max(0, ...findings.map((f) => f.blastRadius)),
    crews_clean: perCrew.filter((n) => n === 0).length,
    crews_with_findings: perCrew.filter((n) => n > 0).length,
    total_tool_count: a.tools.length,
    env_var_count: a.envVarNames.length,
    has_env_in_gitignore: a.hasEnvInGitignore,
    error_handling_rate: ratio(externalCalls.filter((c) => c.inTry).length, externalCalls.length),
    timeout_rate: ratio(timeoutSites.filter(Boolean).length, timeoutSites.length),
    checkpoint_type: a.checkpointType,
    has_pii: sensitivity.has('personal') || sensitivity.has('health'),
    has_financial_data: sensitivity.has('financial'),
    has_financial_tools: financialTools.length > 0,
    financial_validation_rate: financialValidation,
    data_sensitivity_types: [...sensitivity].sort(),
    has_shared_credentials: credentialNames.some(([, files]) => files.size >= 2),
    mitigation_coverage: {
      outbound_output_filter_rate: ratio(
        outboundAtt.filter((x) => filteredAgents.has(x.agent)).length,
        outboundAtt.length,
      ),
      destructive_hitl_rate: ratio(
        destructiveAtt.filter((x) => hitlAgents.has(x.agent) || anyHitl).length,
        destructiveAtt.length,
      ),
      financial_validation_rate: financialValidation,
    },
    uncontrolled_path_count: uncontrolled.length,
    max_path_hops: Math.max(0, ...paths.map((p) => p.hops)),
    downward_trust_crossings: g.downwardCrossings,
    external_sink_count: g.nodes.filter((n) => n.type === 'external').length,
    shared_tool_max_agents: shareMax,
    incident_match_count: incidents.length,
    incident_ids: incidents,
    regulatory_framework_count: regulatorySurface.length,
    regulatory_surface: regulatorySurface,
    has_agent_identity: a.agents.some((ag) => !ag.name.includes('@')),
    has_shared_context: groupSizes.some((n) => n >= 2),
    has_context_provenance: a.hasContextProvenance,
    has_context_rollback: a.hasContextRollback,
    has_memory_store: a.memoryStoreTypes.length > 0,
    memory_store_types: a.memoryStoreTypes,
    has_learning_loop: a.learningType !== 'none',
    learning_type: a.learningType,
    has_eval_framework: a.evalFrameworks.length > 0,
    has_eval_conflict: a.evalFrameworks.length > 0 && a.models.length === 1,
    has_observability: a.telemetryDestinations.length > 0,
    telemetry_destination_count: a.telemetryDestinations.length,
    normalized_features: {
      findings_per_agent: ratio(ruleIds.length, nAgents, 2),
      findings_per_crew: ratio(ruleIds.length, nGroups, 2),
      guardrails_per_agent: ratio(guardrailCount, nAgents, 2),
      tools_per_agent: ratio(
        agentToolCounts.reduce((s, v) => s + v, 0),
        nAgents,
        2,
      ),
      external_exposure_ratio: ratio(externalAgents, nAgents, 2),
      guardrail_coverage_ratio: ratio(a.agents.filter((ag) => guardedAgents.has(ag.id)).length, nAgents, 2),
    },
    llm_providers: a.providers,
    llm_models: pingValues(a.models),
    provider_confidence: a.providerConfidence,
    repo_metadata: {
      python_file_count: a.pythonFileCount,
      yaml_config_count: a.yamlConfigCount,
      total_loc: a.totalLoc,
      primary_framework: a.primaryFramework,
      framework_count: a.frameworks.length,
    },
    deployment_signals: { ...a.deployment, deployment_score: deploymentScore },
    // Optional: only a framework's own repository carries it (its examples were the scan).
    ...(a.frameworkSelfScan !== null ? { framework_self_scan: a.frameworkSelfScan } : {}),
  };
  return { ...identityFields(identity(), read, outcome), ...fields };
}
