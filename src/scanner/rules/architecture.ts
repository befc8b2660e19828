import { at, type Instance, type Rule } from './rule.js';

const SIDE_EFFECTS = ['destructive', 'outbound', 'communication', 'financial', 'code_execution'];

export const ARCHITECTURE_RULES: readonly Rule[] = [
  {
    id: 'ARC-001',
    title: 'Tool shared by many agents',
    severity: 'MEDIUM',
    confidence: 'confirmed',
    ruleClass: 'architecture',
    category: 'compounding',
    remediation: 'Give each agent its own narrowly-scoped tool instance and credentials.',
    incidents: ['SERVICENOW-NOWASSIST-2025'],
    regulatory: ['EU AI Act Art. 9'],
    check(ctx) {
      const out: Instance[] = [];
      for (const cap of ctx.graph.capabilities) {
        // Stryker disable next-line ArrayDeclaration: one stray user is still fewer than three
        const users = ctx.graph.toolAgents.get(cap.key) ?? [];
        if (users.length >= 3) out.push(at(cap.tool.site, users));
      }
      return out;
    },
  },
  {
    id: 'ARC-002',
    title: 'Learning loop without rollback',
    severity: 'MEDIUM',
    confidence: 'probable',
    ruleClass: 'architecture',
    category: 'compounding',
    remediation:
      'Version what agents learn (memory snapshots, persistent checkpoints) so it can be rolled back.',
    incidents: ['MEMORY-POISONING'],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      const a = ctx.analysis;
      // Stryker disable next-line StringLiteral: with no learning there are no learning sites either
      if (a.learningType === 'none' || a.hasContextRollback) return [];
      return a.learningSites.map((s) => at(s));
    },
  },
  {
    id: 'ARC-003',
    title: 'Multi-agent system with side effects and no human in the loop',
    severity: 'HIGH',
    confidence: 'probable',
    ruleClass: 'architecture',
    category: 'compounding',
    remediation: 'Add a human approval step before actions with side effects.',
    incidents: ['REPLIT-DB-DELETE-2025'],
    regulatory: ['EU AI Act Art. 14'],
    check(ctx) {
      const a = ctx.analysis;
      if (a.agents.length < 2 || a.hitlSites.length > 0) return [];
      const acting = a.agents.filter((ag) =>
        // Stryker disable next-line ArrayDeclaration: a list holding a non-tool has no side effect either
        (a.agentCapabilities.get(ag.id) ?? []).some((t) => SIDE_EFFECTS.includes(t.capability)),
      );
      if (acting.length === 0) return [];
      return [
        at(
          (acting[0] as (typeof acting)[number]).site,
          acting.map((x) => x.id),
        ),
      ];
    },
  },
  {
    id: 'ARC-004',
    title: 'Delegation without limits',
    severity: 'MEDIUM',
    confidence: 'probable',
    ruleClass: 'architecture',
    category: 'compounding',
    remediation: 'Bound delegation (max_iter, max_turns, max_steps) on agents that may delegate.',
    incidents: ['AGENT-RUNAWAY-COST'],
    regulatory: ['EU AI Act Art. 15'],
    check(ctx) {
      return ctx.analysis.agents.filter((x) => x.delegates && !x.bounded).map((x) => at(x.site, [x.id]));
    },
  },
  {
    id: 'ARC-005',
    title: 'Agent with too many tools',
    severity: 'LOW',
    confidence: 'confirmed',
    ruleClass: 'architecture',
    category: 'operational',
    remediation: 'Split agents holding 8+ tools into specialised agents.',
    incidents: [],
    regulatory: [],
    check(ctx) {
      const a = ctx.analysis;
      // Stryker disable next-line ArrayDeclaration: one stray entry is still fewer than eight tools
      const toolCount = (agentId: string) => (a.agentCapabilities.get(agentId) ?? []).length;
      return a.agents.filter((x) => toolCount(x.id) >= 8).map((x) => at(x.site, [x.id]));
    },
  },
  {
    id: 'ARC-006',
    title: 'Cycle between agents',
    severity: 'MEDIUM',
    confidence: 'probable',
    ruleClass: 'architecture',
    category: 'compounding',
    remediation: 'Break hand-over cycles or bound them with a turn limit.',
    incidents: ['AGENT-RUNAWAY-COST'],
    regulatory: [],
    check(ctx) {
      const adj = new Map<string, string[]>();
      for (const e of ctx.graph.edges) {
        if (e.type !== 'delegates_to' && e.type !== 'feeds_into') continue;
        // Stryker disable next-line ArrayDeclaration: a stray neighbour is no agent, so never the start of a cycle
        const list = adj.get(e.from) ?? [];
        list.push(e.to);
        adj.set(e.from, list);
      }
      const inCycle = new Set<string>();
      for (const start of adj.keys()) {
        const seen = new Set<string>();
        const stack = [...(adj.get(start) as string[])];
        while (stack.length > 0) {
          const n = stack.pop() as string;
          if (n === start) {
            inCycle.add(start);
            break;
          }
          if (seen.has(n)) continue;
          seen.add(n);
          // Stryker disable next-line ArrayDeclaration: a stray neighbour is no agent, so never the start of a cycle
          stack.push(...(adj.get(n) ?? []));
        }
      }
      return ctx.analysis.agents.filter((x) => inCycle.has(`agent:${x.id}`)).map((x) => at(x.site, [x.id]));
    },
  },
  {
    id: 'ARC-007',
    title: 'Multi-agent system without observability',
    severity: 'LOW',
    confidence: 'possible',
    ruleClass: 'architecture',
    category: 'operational',
    remediation: 'Trace agent runs (OpenTelemetry, LangSmith, Langfuse…) to debug hand-overs.',
    incidents: [],
    regulatory: ['EU AI Act Art. 12'],
    check(ctx) {
      const a = ctx.analysis;
      if (a.agents.length < 2 || a.telemetryDestinations.length > 0) return [];
      return [
        at(
          (a.agents[0] as (typeof a.agents)[number]).site,
          a.agents.map((x) => x.id),
        ),
      ];
    },
  },
  {
    id: 'ARC-008',
    title: 'Shared memory across agents without provenance',
    severity: 'LOW',
    confidence: 'possible',
    ruleClass: 'architecture',
    category: 'compounding',
    remediation: 'Record which agent wrote each memory entry, and from which source.',
    incidents: ['MEMORY-POISONING'],
    regulatory: [],
    check(ctx) {
      const a = ctx.analysis;
      if (a.hasContextProvenance || a.learningSites.length === 0 || a.agents.length < 2) return [];
      return a.learningSites.map((s) => at(s));
    },
  },
];
