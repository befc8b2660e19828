import type { Analysis } from '../analysis/analyze.js';
import type { AgentGraph } from '../graph/build-graph.js';
import type { SiteRef } from '../model.js';

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
export type Confidence = 'confirmed' | 'probable' | 'possible';
export type RuleClass = 'security' | 'operational' | 'architecture';

export interface RuleContext {
  analysis: Analysis;
  graph: AgentGraph;
}

/** Where a rule fired, and which agents it touches (empty = the whole repository). */
export interface Instance {
  site: SiteRef;
  agents: readonly string[];
}

/** A finding rule: a declarative description plus the check that finds its instances. */
export interface Rule {
  id: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  ruleClass: RuleClass;
  category: 'security' | 'operational' | 'business' | 'compliance' | 'compounding';
  remediation: string;
  /** Known public incidents this pattern matches. */
  incidents: readonly string[];
  /** Regulatory clauses the pattern is relevant to. */
  regulatory: readonly string[];
  check(ctx: RuleContext): Instance[];
}

export const SEVERITY_WEIGHT: Record<Severity, number> = { CRITICAL: 25, HIGH: 15, MEDIUM: 8, LOW: 3 };

export function at(site: SiteRef, agents: readonly string[] = []): Instance {
  return { site, agents };
}
