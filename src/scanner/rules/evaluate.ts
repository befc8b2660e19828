import type { SiteRef } from '../model.js';
import { RULES } from './registry.js';
import { type Rule, type RuleContext, SEVERITY_WEIGHT } from './rule.js';

export interface Finding {
  rule: Rule;
  instances: SiteRef[];
  /** Agents the finding touches (all agents when it is repository-wide), at least 1. */
  blastRadius: number;
  /** Agents named by its instances (empty for repository-wide findings): attributes it to crews. */
  agentIds: string[];
}

/** Runs every rule; a rule fires when it has at least one instance (deduplicated by file:line). */
export function evaluateRules(ctx: RuleContext, rules: readonly Rule[] = RULES): Finding[] {
  const findings: Finding[] = [];
  const allAgents = ctx.analysis.agents.map((a) => a.id);
  for (const rule of rules) {
    const instances = rule.check(ctx);
    if (instances.length === 0) continue;
    const sites = new Map<string, SiteRef>();
    const agents = new Set<string>();
    let repoWide = false;
    for (const i of instances) {
      sites.set(`${i.site.file}:${i.site.line}`, i.site);
      if (i.agents.length === 0) repoWide = true;
      for (const id of i.agents) agents.add(id);
    }
    const touched = repoWide ? new Set([...agents, ...allAgents]) : agents;
    findings.push({
      rule,
      instances: [...sites.values()].sort((a, b) =>
        a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line,
      ),
      blastRadius: Math.max(1, touched.size),
      // Stryker disable next-line MethodExpression: the order is never read (the ping only asks whether a crew's agent is among them)
      agentIds: [...agents].sort(),
    });
  }
  return findings;
}

export function riskFromRaw(raw: number): number {
  return raw <= 0 ? 0 : Math.round((raw / (raw + 50)) * 100);
}

/** Severity-weighted sum over fired rules (one weight per rule, not per instance). */
export function rawRisk(findings: readonly Finding[]): number {
  return findings.reduce((n, f) => n + SEVERITY_WEIGHT[f.rule.severity], 0);
}
