import { at, type Instance, type Rule } from './rule.js';

export const OPERATIONAL_RULES: readonly Rule[] = [
  {
    id: 'OPS-001',
    title: 'LLM client without a timeout',
    severity: 'MEDIUM',
    confidence: 'confirmed',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Set timeout/request_timeout on every model client.',
    incidents: [],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      return ctx.analysis.modelClients.filter((c) => !c.hasTimeout).map((c) => at(c.site));
    },
  },
  {
    id: 'OPS-002',
    title: 'HTTP call without a timeout',
    severity: 'MEDIUM',
    confidence: 'confirmed',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Pass timeout= to requests/httpx calls.',
    incidents: [],
    regulatory: [],
    check(ctx) {
      return ctx.analysis.externalCalls
        .filter((c) => c.kind === 'http' && !c.hasTimeout)
        .map((c) => at(c.site));
    },
  },
  {
    id: 'OPS-003',
    title: 'External calls without error handling',
    severity: 'MEDIUM',
    confidence: 'probable',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Wrap model and HTTP calls in try/except with retries and a fallback.',
    incidents: [],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      return ctx.analysis.externalCalls.filter((c) => !c.inTry).map((c) => at(c.site));
    },
  },
  {
    id: 'OPS-004',
    title: 'Agent loop without an iteration bound',
    severity: 'MEDIUM',
    confidence: 'probable',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Set max_iter / max_iterations / max_steps / recursion_limit / max_round.',
    incidents: ['AGENT-RUNAWAY-COST'],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      const a = ctx.analysis;
      const out: Instance[] = [];
      for (const agent of a.agents) {
        if (agent.bounded) continue;
        // A node inside a bounded graph inherits the graph's bound.
        const inBounded = a.groups.some(
          // Stryker disable next-line ArrayDeclaration: every group has a member list (analyze), so the fallback is never read
          (g) => g.bounded && (a.groupMembers.get(g.id) ?? []).includes(agent.id),
        );
        if (!inBounded && agent.framework !== 'LangGraph') out.push(at(agent.site, [agent.id]));
      }
      // Stryker disable next-line ArrayDeclaration: every group has a member list (analyze), so the fallback is never read
      for (const g of a.groups) if (!g.bounded) out.push(at(g.site, a.groupMembers.get(g.id) ?? []));
      return out;
    },
  },
  {
    id: 'OPS-005',
    title: 'Checkpoints only in memory',
    severity: 'MEDIUM',
    confidence: 'confirmed',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Use a persistent checkpointer (SQLite/Postgres/Redis) outside local experiments.',
    incidents: [],
    regulatory: [],
    check(ctx) {
      if (ctx.analysis.checkpointType !== 'memory') return [];
      return ctx.analysis.checkpointSites.map((c) => at(c.site));
    },
  },
  {
    id: 'OPS-006',
    title: 'Verbose prompt logging enabled',
    severity: 'LOW',
    confidence: 'confirmed',
    ruleClass: 'operational',
    category: 'compliance',
    remediation: 'Turn off verbose=True/set_debug(True) in production; prompts may hold personal data.',
    incidents: [],
    regulatory: ['GDPR Art. 5'],
    check(ctx) {
      return ctx.analysis.verboseSites.map((s) => at(s));
    },
  },
  {
    id: 'OPS-007',
    title: 'Traces sent to a third-party service',
    severity: 'LOW',
    confidence: 'probable',
    ruleClass: 'operational',
    category: 'compliance',
    remediation: 'Document the tracing processor, redact prompts, or self-host the collector.',
    incidents: [],
    regulatory: ['GDPR Art. 28'],
    check(ctx) {
      return ctx.analysis.tracingSites.map((s) => at(s));
    },
  },
  {
    id: 'OPS-008',
    title: 'while True loop around model calls',
    severity: 'MEDIUM',
    confidence: 'possible',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Bound the loop (max turns, budget) and break on failure.',
    incidents: ['AGENT-RUNAWAY-COST'],
    regulatory: [],
    check(ctx) {
      return ctx.analysis.whileTrueLlmSites.map((s) => at(s));
    },
  },
  {
    id: 'OPS-009',
    title: 'Floating model alias',
    severity: 'LOW',
    confidence: 'possible',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Pin dated model versions so behaviour does not change under you.',
    incidents: [],
    regulatory: ['NIST AI RMF MAP 4.1'],
    check(ctx) {
      const out: Instance[] = [];
      for (const f of ctx.analysis.inputs.python) {
        if (f.isTest) continue;
        for (const m of f.modelLiterals)
          if (/-latest$|:latest$/.test(m.value)) out.push(at({ file: f.path, line: m.line }));
      }
      return out;
    },
  },
  {
    id: 'OPS-010',
    title: 'Multi-agent group without rate limiting',
    severity: 'LOW',
    confidence: 'possible',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Set max_rpm or a rate limiter on groups of three or more agents.',
    incidents: ['AGENT-RUNAWAY-COST'],
    regulatory: [],
    check(ctx) {
      const a = ctx.analysis;
      if (a.guardrails.some((g) => g.type === 'rate_limit')) return [];
      // Stryker disable next-line ArrayDeclaration: every group has a member list (analyze), so the fallback is never read
      const membersOf = (groupId: string) => a.groupMembers.get(groupId) ?? [];
      return a.groups.filter((g) => membersOf(g.id).length >= 3).map((g) => at(g.site, membersOf(g.id)));
    },
  },
  {
    id: 'OPS-011',
    title: 'Errors swallowed in agent code',
    severity: 'LOW',
    confidence: 'confirmed',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Log or re-raise instead of `except: pass`.',
    incidents: [],
    regulatory: [],
    check(ctx) {
      return ctx.analysis.swallowedSites.map((s) => at(s));
    },
  },
  {
    id: 'OPS-012',
    title: 'Framework version not pinned',
    severity: 'LOW',
    confidence: 'confirmed',
    ruleClass: 'operational',
    category: 'operational',
    remediation: 'Pin framework versions in a lockfile or with ==; agent APIs change between minor releases.',
    incidents: [],
    regulatory: [],
    check(ctx) {
      const a = ctx.analysis;
      const unpinned = a.frameworks.filter((f) => f.version === null || !/^\d/.test(f.version));
      const first = a.inputs.python.find((f) => !f.isTest && f.imports.length > 0);
      return unpinned.map(() => at({ file: first?.path ?? '', line: 1 }));
    },
  },
];
