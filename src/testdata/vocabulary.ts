import { FAILURE_CODES, type FailureCode } from '../core/contract/invariants.js';
/** The vocabulary synthetic pings draw from: real framework names, rule ids, kinds and shares. */

export interface FrameworkSpec {
  name: string;
  /** Share of repositories whose primary framework this is. */
  weight: number;
  /** The discovery stratum a repository with this primary framework was most likely sampled for. */
  stratum: string;
  versions: readonly string[];
}

export const FRAMEWORKS: readonly FrameworkSpec[] = [
  {
    name: 'LangChain',
    weight: 30,
    stratum: 'langchain_active',
    versions: ['0.3.27', '0.3.25', '0.2.16', '1.0.3'],
  },
  { name: 'CrewAI', weight: 17, stratum: 'crewai', versions: ['0.152.0', '0.130.0', '0.86.0'] },
  { name: 'LangGraph', weight: 16, stratum: 'langgraph', versions: ['0.6.7', '1.0.10rc1', '0.2.74'] },
  { name: 'AutoGen', weight: 9, stratum: 'autogen', versions: ['0.7.4', '0.4.9', '0.2.35'] },
  { name: 'LlamaIndex', weight: 9, stratum: 'llamaindex', versions: ['0.12.52', '0.11.23', '0.10.68'] },
  { name: 'Agno', weight: 4, stratum: 'agno_smolagents_other', versions: ['2.0.4', '1.7.6'] },
  { name: 'SmolAgents', weight: 4, stratum: 'agno_smolagents_other', versions: ['1.21.2', '1.15.0'] },
  { name: 'OpenAI Agents', weight: 4, stratum: 'agno_smolagents_other', versions: ['0.3.2', '0.2.11'] },
  { name: 'PydanticAI', weight: 3, stratum: 'agno_smolagents_other', versions: ['1.0.10', '0.7.2'] },
  { name: 'Semantic Kernel', weight: 1.5, stratum: 'agno_smolagents_other', versions: ['1.37.0'] },
  { name: 'Haystack', weight: 1.5, stratum: 'agno_smolagents_other', versions: ['2.17.1'] },
  { name: 'DSPy', weight: 1, stratum: 'agno_smolagents_other', versions: ['3.0.3', '2.6.27'] },
];

/** Strata that are not tied to one framework; a share of repositories is sampled through them. */
export const CROSS_STRATA = [
  { name: 'high_maturity', share: 0.1 },
  { name: 'discovery_pool', share: 0.16 },
] as const;

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

export interface RuleSpec {
  id: string;
  severity: Severity;
  fixImpact: number;
  findingClass: 'hygiene' | 'operational' | 'architecture';
  category: 'security' | 'operational' | 'business' | 'compliance' | 'compounding';
}

const RULE_IDS = [
  'STRATUM-001',
  'STRATUM-002',
  'STRATUM-008',
  'STRATUM-009',
  'STRATUM-010',
  'STRATUM-BR01',
  'STRATUM-BR03',
  'STRATUM-BR04',
  'STRATUM-CR01',
  'STRATUM-CR02',
  'STRATUM-CR05',
  'STRATUM-CR05.1',
  'STRATUM-CR05.2',
  'STRATUM-CR06',
  'STRATUM-CR06.1',
  'STRATUM-OP02',
  'CONTEXT-001',
  'CONTEXT-002',
  'TELEMETRY-003',
  'IDENTITY-001',
  'IDENTITY-002',
  'MCP-001',
  'MCP-002',
  'MCP-004',
  'FIN-001',
  'EVAL-001',
  'LEARN-001',
  'STRATUM-011',
  'STRATUM-012',
  'STRATUM-CR07',
] as const;

const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const IMPACT_BY_SEVERITY: Record<Severity, number> = { CRITICAL: -25, HIGH: -15, MEDIUM: -8, LOW: -3 };
const CLASSES = ['hygiene', 'operational', 'architecture'] as const;
const CATEGORIES = ['security', 'operational', 'business', 'compliance', 'compounding'] as const;

/** 30 rules; rule i fires in about 80 % · 0.9^i of scanned repositories (skewed prevalence). */
export const RULES: readonly RuleSpec[] = RULE_IDS.map((id, i) => {
  const severity = SEVERITIES[(i * 7 + 1) % 4] as Severity;
  return {
    id,
    severity,
    fixImpact: IMPACT_BY_SEVERITY[severity],
    findingClass: CLASSES[i % 3] as RuleSpec['findingClass'],
    category: CATEGORIES[(i * 3) % 5] as RuleSpec['category'],
  };
});
export const RULE_PREVALENCE: readonly number[] = RULES.map((_, i) => 0.8 * 0.9 ** i);

export const STATUS_SHARES = { success: 0.7, partial: 0.1, empty: 0.13, failed: 0.07 } as const;

/**
 * Failure codes of `failed` pings: every contract code except the `empty` reasons, the budget
 * one and commit_missing (newer than the generator's figures, which it would otherwise shift).
 */
export const FAILED_REASONS: readonly FailureCode[] = FAILURE_CODES.filter(
  (c) => c !== 'no_python' && c !== 'no_agents' && c !== 'scan_budget_exceeded' && c !== 'commit_missing',
);
export const FAILED_REASON_WEIGHTS = [30, 12, 4, 10, 8, 10, 10, 8, 8];
export const EMPTY_REASONS = ['no_agents', 'no_python'] as const;
export const PARTIAL_REASONS = [null, 'parse_timeout', 'scan_budget_exceeded'] as const;

export const ARCHETYPES = [
  'single_agent',
  'multi_agent_orchestrator',
  'pipeline',
  'tool_augmented_llm',
  'unknown',
] as const;
export const CAPABILITY_KINDS = ['outbound', 'data_access', 'destructive', 'code_execution', 'financial'];
export const TRUST_LEVELS = ['external', 'internal', 'privileged'];
export const NODE_TYPES = ['agent', 'capability', 'external_service', 'data_store', 'guardrail'];
export const EDGE_TYPES = [
  'tool_of',
  'sends_to',
  'reads_from',
  'writes_to',
  'feeds_into',
  'filtered_by',
  'shares_tool',
  'delegates_to',
  'calls',
];
export const GUARDRAIL_TYPES = ['validation', 'hitl', 'output_filter', 'rate_limit'];
export const INCIDENTS = [
  'ECHOLEAK-2025',
  'SERVICENOW-NOWASSIST-2025',
  'DOCKER-GORDON-2025',
  'SLACK-AI-EXFIL-2024',
  'REPLIT-DB-WIPE-2025',
  'AMAZON-Q-WIPER-2025',
  'GITHUB-MCP-EXFIL-2025',
];
export const REGULATIONS = [
  'EU AI Act Art. 14',
  'EU AI Act Art. 9',
  'GDPR Art. 35',
  'NIST AI RMF MAP 1.5',
  'ISO 42001 6.1',
  'SOC2 CC6.1',
];
export const SENSITIVITY = ['personal', 'financial', 'health', 'credentials'];
export const MEMORY_STORES = ['chroma', 'faiss', 'redis', 'postgres', 'pinecone', 'qdrant'];
export const PROVIDERS = ['openai', 'anthropic', 'google', 'ollama', 'mistral', 'groq', 'azure_openai'];
export const MODELS: Record<string, readonly string[]> = {
  openai: ['gpt-4o', 'gpt-4o-mini', 'gpt-4', 'gpt-3.5-turbo', 'o3-mini'],
  anthropic: ['claude-3-5-sonnet-20241022', 'claude-3-haiku-20240307', 'claude-sonnet-4-20250514'],
  google: ['gemini-2.0-flash', 'gemini-1.5-pro'],
  ollama: ['llama3.1', 'openhermes', 'mistral', 'qwen2.5'],
  mistral: ['mistral-large-latest'],
  groq: ['llama-3.1-70b-versatile'],
  azure_openai: ['gpt-4o'],
};
export const MITIGATIONS = [
  'outbound_output_filter_rate',
  'destructive_hitl_rate',
  'financial_validation_rate',
];
export const OWNERS = [
  'acme-ai',
  'data-lab',
  'agentsmith',
  'openhack',
  'ml-guild',
  'botworks',
  'llm-studio',
  'tutorial-hub',
  'devrel-demos',
  'quantcraft',
];
export const LICENSES = ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'GPL-3.0', null] as const;
