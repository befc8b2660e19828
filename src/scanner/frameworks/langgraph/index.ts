import { functionsCallingLlm } from '../../analysis/llm-calls.js';
import type { ArgValue } from '../../model.js';
import { emptyDetection } from '../../model.js';
import { type CallSite, lastSegment, newAgent, newGroup, site } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const PREBUILT = ['create_react_agent', 'create_agent', 'create_supervisor', 'create_swarm'];
const MEMORY_SAVERS = ['MemorySaver', 'InMemorySaver', 'InMemoryStore'];
const PERSISTENT_SAVERS = [
  'SqliteSaver',
  'AsyncSqliteSaver',
  'PostgresSaver',
  'AsyncPostgresSaver',
  'RedisSaver',
  'AsyncRedisSaver',
  'MongoDBSaver',
  'PostgresStore',
  'AsyncPostgresStore',
];

function strOf(v: ArgValue | undefined): string | null {
  return v?.kind === 'str' ? v.value : null;
}

export const langgraph: FrameworkDetector = {
  id: 'langgraph',
  displayName: 'LangGraph',
  modules: ['langgraph'],
  packages: ['langgraph'],
  filePatterns: ['**/*.py', '**/*.ipynb', 'langgraph.json'],
  detect(ctx) {
    const d = emptyDetection();
    const llmFns = functionsCallingLlm(ctx.files);
    const prebuiltVars = new Map<string, string>(); // file:var → agent name
    for (const cs of ctx.callsTo(['langgraph', 'langgraph_supervisor', 'langgraph_swarm'], PREBUILT)) {
      const name = lastSegment(cs.call.callee);
      if (name === 'create_supervisor' || name === 'create_swarm') continue;
      const c = cs.call;
      const agent = newAgent(this.displayName, cs, { bounded: false });
      d.agents.push(agent);
      if (c.assignedTo) prebuiltVars.set(`${cs.file.path}:${c.assignedTo}`, agent.name);
      if (c.kwargs.has('interrupt_before') || c.kwargs.has('interrupt_after')) d.hitlSites.push(site(cs));
    }
    for (const cs of ctx.callsTo(['langgraph'], ['StateGraph', 'MessageGraph'])) {
      const graphVar = cs.call.assignedTo;
      if (graphVar === null) continue;
      const calls = cs.file.calls;
      const compile = calls.find((c) => c.callee === `${graphVar}.compile`);
      if (!compile) continue;
      const members: string[] = [];
      for (const add of calls.filter((c) => c.callee === `${graphVar}.add_node`)) {
        const nodeName = strOf(add.args[0]);
        const target = nodeName === null ? add.args[0] : add.args[1];
        const label = nodeName ?? (target?.kind === 'name' ? lastSegment(target.value) : `node@${add.line}`);
        if (target?.kind === 'name') {
          const prebuilt = prebuiltVars.get(`${cs.file.path}:${target.value}`);
          if (prebuilt !== undefined) {
            members.push(prebuilt);
            continue;
          }
          if (llmFns.has(lastSegment(target.value))) {
            const nodeSite: CallSite = { file: cs.file, call: add };
            d.agents.push(newAgent(this.displayName, nodeSite, { name: label, toolRefs: [] }));
            members.push(label);
          }
        } else if (target?.kind === 'call' && PREBUILT.includes(lastSegment(target.callee))) {
          members.push(label);
        }
      }
      const flows: [string, string][] = [];
      for (const e of calls.filter((c) => c.callee === `${graphVar}.add_edge`)) {
        const a = strOf(e.args[0]);
        const b = strOf(e.args[1]);
        if (a !== null && b !== null && members.includes(a) && members.includes(b)) flows.push([a, b]);
      }
      const conditional = calls.some((c) => c.callee === `${graphVar}.add_conditional_edges`);
      const fileText = calls.some(
        (c) =>
          (c.kwargs.get('config')?.kind === 'dict' &&
            (c.kwargs.get('config') as { keys: string[] }).keys.includes('recursion_limit')) ||
          c.kwargs.has('recursion_limit'),
      );
      d.groups.push(
        newGroup(this.displayName, 'graph', cs, {
          memberRefs: members,
          flows,
          sequential: !conditional,
          bounded:
            fileText ||
            cs.file.assigns.some((a) => a.value.kind === 'dict' && a.value.keys.includes('recursion_limit')),
        }),
      );
      if (compile.kwargs.has('interrupt_before') || compile.kwargs.has('interrupt_after'))
        d.hitlSites.push({ file: cs.file.path, line: compile.line });
    }
    for (const cs of ctx.callsTo(['langgraph'], ['interrupt'])) d.hitlSites.push(site(cs));
    for (const cs of ctx.callsTo(['langgraph'], MEMORY_SAVERS))
      d.checkpoints.push({ kind: 'memory', site: site(cs) });
    for (const name of PERSISTENT_SAVERS)
      for (const cs of ctx.callsNamed(name)) d.checkpoints.push({ kind: 'persistent', site: site(cs) });
    for (const cs of ctx.callsNamed('from_conn_string'))
      if (PERSISTENT_SAVERS.some((n) => cs.call.callee.includes(n)))
        d.checkpoints.push({ kind: 'persistent', site: site(cs) });
    d.tools.push(...detectTools(ctx, { roots: ['langgraph'], decorators: ['tool'] }));
    return d;
  },
};
