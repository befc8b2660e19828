import type { FullPing, Ping } from '../core/contract/index.js';
import { DEPLOYMENT_SIGNAL_KEYS } from '../core/contract/index.js';
import { createRandom, hashHex, type Random } from './random.js';
import {
  ARCHETYPES,
  CAPABILITY_KINDS,
  CROSS_STRATA,
  EDGE_TYPES,
  EMPTY_REASONS,
  FAILED_REASON_WEIGHTS,
  FAILED_REASONS,
  FRAMEWORKS,
  GUARDRAIL_TYPES,
  INCIDENTS,
  MEMORY_STORES,
  MITIGATIONS,
  MODELS,
  OWNERS,
  PARTIAL_REASONS,
  PROVIDERS,
  REGULATIONS,
  RULE_PREVALENCE,
  RULES,
  SENSITIVITY,
  STATUS_SHARES,
  TRUST_LEVELS,
} from './vocabulary.js';

export const SYNTHETIC_SCANNER_VERSION = '0.3.2-synthetic';

/** Everything about repository `index` that both its ping and its manifest row need. */
export interface RepoIdentity {
  index: number;
  fullName: string;
  url: string;
  repoHash: string;
  primaryFramework: string;
  stratum: string;
  /** Index of the repository this one is a fork of, or null. */
  forkOf: number | null;
  /** Key of the agent/tool structure: shared by forks and by copies of one tutorial. */
  topologyKey: string;
}

export interface GeneratorContext {
  seed: number;
  count: number;
  /** Cumulative Zipf weights over the tutorial templates (topology clusters). */
  templateCdf: Float64Array;
  /** Share of repositories that are copies of a tutorial template. */
  templateShare: number;
  forkShare: number;
}

export function createGeneratorContext(seed: number, count: number): GeneratorContext {
  // Zipf over K templates: the biggest clusters reach 10+ members even in small files.
  const k = Math.max(4, Math.round(count / 150));
  const cdf = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) {
    total += 1 / (i + 1);
    cdf[i] = total;
  }
  for (let i = 0; i < k; i++) cdf[i] = (cdf[i] as number) / total;
  return { seed, count, templateCdf: cdf, templateShare: 0.07, forkShare: 0.04 };
}

const FW_WEIGHTS = FRAMEWORKS.map((f) => f.weight);
const STATUS_WEIGHTS = [
  STATUS_SHARES.success,
  STATUS_SHARES.partial,
  STATUS_SHARES.empty,
  STATUS_SHARES.failed,
];
const STATUSES = ['success', 'partial', 'empty', 'failed'] as const;

function pickTemplate(ctx: GeneratorContext, r: number): number {
  const cdf = ctx.templateCdf;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cdf[mid] as number) < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function repoIdentity(ctx: GeneratorContext, index: number): RepoIdentity {
  const rng = createRandom(ctx.seed, 'identity', index);
  const owner = `${rng.pick(OWNERS)}-${rng.int(1, 400)}`;
  const fullName = `${owner}/agent-project-${index}`;
  const forkOf = index > 0 && rng.chance(ctx.forkShare) ? Math.floor(rng.next() * index) : null;
  let primaryFramework: string;
  let topologyKey: string;
  if (forkOf !== null) {
    const parent = repoIdentity(ctx, forkOf);
    primaryFramework = parent.primaryFramework;
    topologyKey = parent.topologyKey;
  } else {
    primaryFramework = (FRAMEWORKS[rng.weighted(FW_WEIGHTS)] as (typeof FRAMEWORKS)[number]).name;
    topologyKey = rng.chance(ctx.templateShare)
      ? `template:${pickTemplate(ctx, rng.next())}`
      : `repo:${index}`;
  }
  const cross = rng.next();
  let stratum = FRAMEWORKS.find((f) => f.name === primaryFramework)?.stratum ?? 'discovery_pool';
  if (cross < CROSS_STRATA[0].share) stratum = CROSS_STRATA[0].name;
  else if (cross < CROSS_STRATA[0].share + CROSS_STRATA[1].share) stratum = CROSS_STRATA[1].name;
  return {
    index,
    fullName,
    url: `https://github.com/${fullName}`,
    repoHash: hashHex(`${ctx.seed}:${fullName}`, 16),
    primaryFramework,
    stratum,
    forkOf,
    topologyKey,
  };
}

function sortedDesc(values: number[]): number[] {
  return values.sort((a, b) => b - a);
}

/** Splits `total` into `parts` non-negative integers with random weights. */
function spread(rng: Random, total: number, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (keys.length === 0) return out;
  const weights = keys.map(() => rng.next() + 0.05);
  const sum = weights.reduce((a, b) => a + b, 0);
  let left = total;
  keys.forEach((k, i) => {
    const v =
      i === keys.length - 1 ? left : Math.min(left, Math.round((total * (weights[i] as number)) / sum));
    out[k] = v;
    left -= v;
  });
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const ratio = (a: number, b: number) => (b === 0 ? 0 : round2(a / b));

type Structure = ReturnType<typeof buildStructure>;
const templateStructures = new Map<string, Structure>();

/** The agent/tool structure of a topology key: identical for every repository sharing the key. */
function structure(ctx: GeneratorContext, key: string): Structure {
  if (!key.startsWith('template:')) return buildStructure(ctx, key);
  const cacheKey = `${ctx.seed}:${ctx.count}:${key}`;
  let s = templateStructures.get(cacheKey);
  if (!s) {
    if (templateStructures.size > 10_000) templateStructures.clear();
    s = buildStructure(ctx, key);
    templateStructures.set(cacheKey, s);
  }
  return s;
}

function buildStructure(ctx: GeneratorContext, key: string) {
  const rng = createRandom(ctx.seed, 'topology', key);
  const crewCount = rng.skewedInt(1, 24, 2.2);
  const crewSizes = sortedDesc(Array.from({ length: crewCount }, () => rng.skewedInt(1, 6, 1.8)));
  const agentCount = crewSizes.reduce((a, b) => a + b, 0);
  const toolCounts = sortedDesc(Array.from({ length: agentCount }, () => rng.skewedInt(0, 7, 1.6)));
  const totalTools = toolCounts.reduce((a, b) => a + b, 0);
  const capabilityKinds = rng.sample(CAPABILITY_KINDS, rng.int(1, 4));
  const totalCapabilities = Math.max(1, Math.round(totalTools * (0.6 + rng.next() * 0.6)));
  const nodeTypes: Record<string, number> = {
    agent: agentCount,
    capability: Math.max(1, Math.round(totalCapabilities * 0.6)),
    external_service: rng.int(0, 8),
    data_store: rng.int(0, 5),
    guardrail: rng.int(0, 12),
  };
  const nodes = Object.values(nodeTypes).reduce((a, b) => a + b, 0);
  const edges = Math.round(nodes * (1.2 + rng.next() * 1.4));
  const edgeTypes = spread(rng, edges, rng.sample(EDGE_TYPES, rng.int(3, 7)));
  const trustCrossings: Record<string, number> = {};
  const levels = rng.sample(TRUST_LEVELS, rng.int(1, 3));
  for (let i = 0; i + 1 < levels.length; i++)
    trustCrossings[`${levels[i]}→${levels[i + 1]}`] = rng.int(1, 240);
  const adjacency: Record<string, number> = {};
  for (const [k, v] of Object.entries(trustCrossings)) {
    const [from, to] = k.split('→');
    adjacency[k] = v;
    adjacency[`${to}→${from}`] = v;
  }
  return {
    hash: hashHex(`${ctx.seed}:topology:${key}`, 16),
    archetype: crewCount > 1 ? rng.pick(ARCHETYPES.slice(1)) : rng.pick(ARCHETYPES),
    crewCount,
    crewSizes,
    agentCount,
    toolCounts,
    totalTools,
    totalCapabilities,
    capabilityDistribution: spread(rng, totalCapabilities, capabilityKinds),
    trustLevels: spread(rng, totalCapabilities, levels),
    trustCrossings,
    adjacency,
    nodeTypes,
    nodes,
    edges,
    edgeTypes,
    interCrewEdges: crewCount > 1 ? rng.int(0, Math.min(edges, crewCount * 2)) : 0,
    metrics: {
      diameter: rng.int(1, 9),
      avg_degree: round2((2 * edges) / Math.max(1, nodes)),
      max_degree: rng.int(2, 30),
      clustering_coefficient: round2(rng.next() * 0.4),
      connected_components: rng.skewedInt(1, 5, 3),
      longest_chain: rng.int(1, 12),
      hub_score: rng.int(1, 30),
    },
  };
}

type PingIdentity = Pick<
  FullPing,
  | 'scan_id'
  | 'timestamp'
  | 'scanner_version'
  | 'repo_hash'
  | 'repo_full_name'
  | 'repo_url'
  | 'selection_stratum'
  | 'matched_strata'
>;

const SEVERITY_WEIGHT = { CRITICAL: 10, HIGH: 6, MEDIUM: 3, LOW: 1 } as const;

/** One synthetic ping: the contract-valid scan result of repository `index`. */
export function generatePing(ctx: GeneratorContext, index: number, id = repoIdentity(ctx, index)): Ping {
  const rng = createRandom(ctx.seed, 'ping', index);
  const status = STATUSES[rng.weighted(STATUS_WEIGHTS)] as (typeof STATUSES)[number];
  const timestamp = new Date(Date.UTC(2026, 10, 20) + index * 4_000 + rng.int(0, 3_999)).toISOString();
  const matched = rng.chance(0.2) ? [id.stratum, 'discovery_pool'] : [id.stratum];
  const identity: PingIdentity = {
    scan_id: rng.hex(16),
    timestamp,
    scanner_version: SYNTHETIC_SCANNER_VERSION,
    repo_hash: id.repoHash,
    repo_full_name: id.fullName,
    repo_url: id.url,
    selection_stratum: id.stratum,
    matched_strata: [...new Set(matched)],
  };
  if (status === 'failed' || status === 'empty') {
    const reason =
      status === 'failed'
        ? (FAILED_REASONS[rng.weighted(FAILED_REASON_WEIGHTS)] as (typeof FAILED_REASONS)[number])
        : rng.chance(0.8)
          ? EMPTY_REASONS[0]
          : EMPTY_REASONS[1];
    const total = status === 'empty' && reason === 'no_agents' ? rng.skewedInt(1, 120, 2) : 0;
    return {
      ...identity,
      schema_id: 5,
      schema_version: '0.3.2',
      scan_status: status,
      scan_duration_ms: status === 'failed' ? rng.int(200, 300_000) : rng.int(50, 4_000),
      files_scanned: 0,
      files_total: total,
      parser_errors: 0,
      failure_reason: reason,
      ...(status === 'failed'
        ? { failure_detail: `synthetic ${reason} after ${rng.int(1, 3)} attempt(s)` }
        : {}),
      risk_score: 0,
      finding_rule_count: 0,
      agent_count: 0,
      crew_count: 0,
      frameworks: [],
    };
  }
  return fullPing(ctx, id, rng, identity, status);
}

function fullPing(
  ctx: GeneratorContext,
  id: RepoIdentity,
  rng: Random,
  identity: PingIdentity,
  status: 'success' | 'partial',
): FullPing {
  const s = structure(ctx, id.topologyKey);
  const others = FRAMEWORKS.filter((f) => f.name !== id.primaryFramework);
  const extra = rng.chance(0.35) ? rng.sample(others, rng.chance(0.3) ? 2 : 1) : [];
  const frameworks = [id.primaryFramework, ...extra.map((f) => f.name)];
  const frameworkVersions: Record<string, string | null> = {};
  for (const name of frameworks) {
    const spec = FRAMEWORKS.find((f) => f.name === name);
    frameworkVersions[name] = spec && rng.chance(0.75) ? rng.pick(spec.versions) : null;
  }

  const rules = RULES.filter((_, i) => rng.chance(RULE_PREVALENCE[i] as number));
  const ruleIds = rules.map((r) => r.id);
  const severities: Record<string, number> = {};
  const confidences: Record<string, number> = {};
  const byClass: Record<string, number> = {};
  const byCategory: Record<string, number> = {};
  const instances: Record<string, number> = {};
  const fixImpact: Record<string, number> = {};
  let raw = 0;
  for (const r of rules) {
    severities[r.severity] = (severities[r.severity] ?? 0) + 1;
    const conf = rng.pick(['confirmed', 'confirmed', 'probable', 'possible']);
    confidences[conf] = (confidences[conf] ?? 0) + 1;
    byClass[r.findingClass] = (byClass[r.findingClass] ?? 0) + 1;
    byCategory[r.category] = (byCategory[r.category] ?? 0) + 1;
    instances[r.id] = rng.skewedInt(1, 6, 3);
    fixImpact[r.id] = r.fixImpact - rng.int(0, 3);
    raw += SEVERITY_WEIGHT[r.severity];
  }
  const totalInstances = Object.values(instances).reduce((a, b) => a + b, 0);
  const coOccurrence: [string, string][] = [];
  for (let i = 0; i + 1 < ruleIds.length && coOccurrence.length < 4; i += 2)
    if (rng.chance(0.4)) coOccurrence.push([ruleIds[i] as string, ruleIds[i + 1] as string]);
  const blast = sortedDesc(ruleIds.map(() => rng.skewedInt(1, 8, 2)));
  const crewsWithFindings = ruleIds.length === 0 ? 0 : rng.int(1, s.crewCount);
  const perCrew = ruleIds.length / Math.max(1, s.crewCount);

  const guardrails = s.nodeTypes.guardrail as number;
  const mcpServers = rng.chance(0.25) ? rng.skewedInt(1, 6, 2) : 0;
  const mcpRemote = mcpServers ? rng.int(0, mcpServers) : 0;
  const incidents = rng.sample(INCIDENTS, rng.skewedInt(0, 4, 2));
  const regulations = rng.sample(REGULATIONS, rng.int(0, 4));
  const hasMemory = rng.chance(0.45);
  const providers = rng.sample(PROVIDERS, rng.skewedInt(1, 3, 2));
  const models = [...new Set(providers.flatMap((p) => rng.sample(MODELS[p] ?? [], rng.int(1, 2))))];
  const maturity = rng.next();
  const signalShares = [0.35, 0.3, 0.4, 0.3, 0.35];
  const signals = Object.fromEntries(
    DEPLOYMENT_SIGNAL_KEYS.map((k, i) => [
      k,
      rng.chance((signalShares[i] as number) * (0.3 + 1.4 * maturity)),
    ]),
  ) as Record<(typeof DEPLOYMENT_SIGNAL_KEYS)[number], boolean>;
  const deploymentScore = DEPLOYMENT_SIGNAL_KEYS.filter((k) => signals[k]).length;
  const filesTotal = rng.skewedInt(3, 600, 2.5);
  const filesScanned =
    status === 'success'
      ? filesTotal - (rng.chance(0.1) ? rng.int(0, Math.floor(filesTotal * 0.1)) : 0)
      : Math.floor(filesTotal * (0.15 + rng.next() * 0.8));
  const parserErrors = Math.min(filesTotal - filesScanned, rng.skewedInt(0, 5, 4));
  const hasPii = rng.chance(0.3);
  const hasFinancialData = rng.chance(0.08);
  const learning = rng.pick(['none', 'context_level', 'persistent', null] as const);

  return {
    scan_id: identity.scan_id,
    timestamp: identity.timestamp,
    scanner_version: identity.scanner_version,
    repo_hash: identity.repo_hash,
    schema_id: 5,
    schema_version: '0.3.2',
    repo_full_name: identity.repo_full_name,
    repo_url: identity.repo_url,
    selection_stratum: identity.selection_stratum,
    matched_strata: identity.matched_strata,
    scan_status: status,
    scan_duration_ms: rng.skewedInt(150, status === 'partial' ? 300_000 : 60_000, 3),
    files_scanned: filesScanned,
    files_total: filesTotal,
    parser_errors: parserErrors,
    failure_reason: status === 'success' ? null : rng.pick(PARTIAL_REASONS),
    agent_count: s.agentCount,
    crew_count: s.crewCount,
    frameworks,
    framework_versions: frameworkVersions,
    archetype_class: s.archetype,
    total_capabilities: s.totalCapabilities,
    capability_distribution: s.capabilityDistribution,
    trust_level_distribution: s.trustLevels,
    trust_crossings: s.trustCrossings,
    total_trust_crossings: Object.values(s.trustCrossings).reduce((a, b) => a + b, 0),
    trust_crossing_adjacency: s.adjacency,
    topology_signature_hash: s.hash,
    graph_node_count: s.nodes,
    graph_edge_count: s.edges,
    graph_node_type_distribution: s.nodeTypes,
    graph_edge_type_distribution: s.edgeTypes,
    edge_density: s.nodes < 2 ? 0 : s.edges / (s.nodes * (s.nodes - 1)),
    graph_topology_metrics: s.metrics,
    crew_size_distribution: s.crewSizes,
    agent_tool_count_distribution: s.toolCounts,
    inter_crew_edges: s.interCrewEdges,
    finding_rules: ruleIds,
    finding_rule_count: ruleIds.length,
    finding_severities: severities,
    finding_confidences: confidences,
    finding_instance_counts: instances,
    total_finding_instances: totalInstances,
    fix_impact_estimates: fixImpact,
    finding_co_occurrence: coOccurrence,
    per_crew_finding_density: {
      max: Math.ceil(perCrew * 2),
      min: 0,
      mean: round2(perCrew),
      median: round2(perCrew / 2),
      stddev: round2(perCrew / 3),
    },
    findings_by_class: byClass,
    findings_by_category: byCategory,
    guardrail_count: guardrails,
    has_any_guardrails: guardrails > 0,
    guardrail_types: guardrails ? rng.sample(GUARDRAIL_TYPES, rng.int(1, 3)) : [],
    guardrail_linked_count: guardrails ? rng.int(0, guardrails * 8) : 0,
    control_bypass_count: rng.skewedInt(0, 6, 3),
    control_coverage_pct: Math.round(rng.next() * 1000) / 10,
    has_hitl_anywhere: rng.chance(0.15),
    mcp_server_count: mcpServers,
    mcp_remote_count: mcpRemote,
    mcp_auth_ratio: mcpServers ? ratio(rng.int(0, mcpServers), mcpServers) : 0,
    mcp_pinned_ratio: mcpServers ? ratio(rng.int(0, mcpServers), mcpServers) : 0,
    risk_score: Math.round((raw / (raw + 50)) * 100),
    finding_coverages: {},
    severity_downgrades: {},
    blast_radius_distribution: blast,
    max_blast_radius: blast[0] ?? 0,
    crews_clean: s.crewCount - crewsWithFindings,
    crews_with_findings: crewsWithFindings,
    total_tool_count: s.totalTools,
    env_var_count: rng.skewedInt(0, 25, 2),
    has_env_in_gitignore: rng.chance(0.6),
    error_handling_rate: round2(rng.next()),
    timeout_rate: round2(rng.next() * 0.6),
    checkpoint_type: rng.pick(['none', 'none', 'memory', 'persistent'] as const),
    has_pii: hasPii,
    has_financial_data: hasFinancialData,
    has_financial_tools: rng.chance(0.06),
    financial_validation_rate: hasFinancialData ? round2(rng.next()) : 0,
    data_sensitivity_types: hasPii ? rng.sample(SENSITIVITY, rng.int(1, 2)) : [],
    has_shared_credentials: rng.chance(0.1),
    mitigation_coverage: Object.fromEntries(MITIGATIONS.map((m) => [m, round2(rng.next() * 0.5)])),
    uncontrolled_path_count: rng.skewedInt(0, 10, 2),
    max_path_hops: rng.int(0, 6),
    downward_trust_crossings: rng.skewedInt(0, 20, 2),
    external_sink_count: s.nodeTypes.external_service as number,
    shared_tool_max_agents: rng.int(0, Math.min(6, s.agentCount)),
    incident_match_count: incidents.length,
    incident_ids: incidents,
    regulatory_framework_count: regulations.length,
    regulatory_surface: regulations,
    has_agent_identity: rng.chance(0.5),
    has_shared_context: rng.chance(0.3),
    has_context_provenance: rng.chance(0.1),
    has_context_rollback: rng.chance(0.2),
    has_memory_store: hasMemory,
    memory_store_types: hasMemory ? rng.sample(MEMORY_STORES, rng.int(0, 2)) : [],
    has_learning_loop: learning === 'context_level' || learning === 'persistent',
    learning_type: learning,
    has_eval_framework: rng.chance(0.2),
    has_eval_conflict: rng.chance(0.03),
    has_observability: rng.chance(0.25),
    telemetry_destination_count: rng.skewedInt(0, 3, 3),
    normalized_features: {
      findings_per_agent: ratio(ruleIds.length, s.agentCount),
      findings_per_crew: ratio(ruleIds.length, s.crewCount),
      guardrails_per_agent: ratio(guardrails, s.agentCount),
      tools_per_agent: ratio(s.totalTools, s.agentCount),
      external_exposure_ratio: ratio(s.nodeTypes.external_service as number, s.nodes),
      guardrail_coverage_ratio: round2(rng.next()),
    },
    llm_providers: providers,
    llm_models: models,
    provider_confidence: rng.pick([
      'detected',
      'detected',
      'inferred_env_var',
      'inferred_framework',
    ] as const),
    repo_metadata: {
      python_file_count: filesTotal,
      yaml_config_count: rng.skewedInt(0, 12, 3),
      total_loc: filesTotal * rng.int(20, 180),
      primary_framework: id.primaryFramework,
      framework_count: frameworks.length,
    },
    deployment_signals: { ...signals, deployment_score: deploymentScore },
  };
}
