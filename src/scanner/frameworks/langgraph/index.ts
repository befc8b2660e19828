import { functionsCallingLlm } from '../../analysis/llm-calls.js';
import { LoopIterations, loopCopies } from '../../analysis/loop-iterations.js';
import { boundCall, preferLocal } from '../../analysis/references.js';
import type { AgentDef, ArgValue, PythonFacts } from '../../model.js';
import { emptyDetection } from '../../model.js';
import { type CallSite, kw, lastSegment, memberList, newAgent, newGroup, site } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const PREBUILT = [
  'create_react_agent',
  'create_agent',
  'create_tool_calling_executor',
  'create_supervisor',
  'create_swarm',
];
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

const RUN_METHODS = new Set(['invoke', 'ainvoke', 'stream', 'astream', 'batch', 'abatch']);

type NodeKind = { kind: 'plain' } | { kind: 'node' } | { kind: 'prebuilt'; agent: AgentDef };

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
    const loops = new LoopIterations(ctx.files);
    const filesByPath = new Map(ctx.files.map((f) => [f.path, f]));
    /** A prebuilt agent the analysis copies once per iteration of the loop that builds it. */
    const builtInLoop = (agent: AgentDef): boolean =>
      loopCopies(agent, filesByPath.get(agent.site.file), loops) > 1;
    const prebuiltVars = new Map<string, AgentDef>(); // file:var → agent
    const prebuiltAt = new Map<string, AgentDef>(); // file:line → agent
    /** Factories (function name) whose body builds a prebuilt agent, and that agent. */
    const prebuiltFns = new Map<string, AgentDef>();
    for (const cs of ctx.callsTo(['langgraph', 'langgraph_supervisor', 'langgraph_swarm'], PREBUILT)) {
      const name = lastSegment(cs.call.callee);
      const c = cs.call;
      if (name === 'create_swarm') {
        d.groups.push(
          newGroup(this.displayName, 'graph', cs, {
            ...memberList(kw(c, 'agents') ?? c.args[0], cs.file),
          }),
        );
        continue;
      }
      const agent = newAgent(this.displayName, cs, {
        bounded: false,
        ...(name === 'create_supervisor' ? { name: c.assignedTo ?? 'supervisor', toolRefs: [] } : {}),
      });
      d.agents.push(agent);
      prebuiltAt.set(`${cs.file.path}:${c.line}`, agent);
      if (c.assignedTo) prebuiltVars.set(`${cs.file.path}:${c.assignedTo}`, agent);
      if (c.fn !== null && !prebuiltFns.has(c.fn)) prebuiltFns.set(c.fn, agent);
      if (c.kwargs.has('interrupt_before') || c.kwargs.has('interrupt_after')) d.hitlSites.push(site(cs));
      // The supervisor and the agents it hands work to form one graph.
      if (name === 'create_supervisor') {
        const members = memberList(kw(c, 'agents') ?? c.args[0], cs.file);
        d.groups.push(
          newGroup(this.displayName, 'graph', cs, {
            memberRefs: [...members.memberRefs, agent.name],
            memberCalls: members.memberCalls,
          }),
        );
      }
    }
    const usedFactories = new Set<string>();
    // Prebuilt agents by variable name (imported into the graph's module), and the functions
    // that run one (`def research_node(state): return research_agent.invoke(state)`).
    const prebuiltByVar = new Map<string, AgentDef[]>();
    for (const [key, agent] of prebuiltVars) {
      const name = key.slice(key.lastIndexOf(':') + 1);
      prebuiltByVar.set(name, [...(prebuiltByVar.get(name) ?? []), agent]);
    }
    const runsPrebuilt = new Map<string, AgentDef>();
    for (const file of ctx.files)
      for (const c of file.calls) {
        if (c.fn === null || !RUN_METHODS.has(lastSegment(c.callee))) continue;
        const receiver = c.callee.slice(0, c.callee.lastIndexOf('.'));
        const agent =
          prebuiltVars.get(`${file.path}:${receiver}`) ??
          preferLocal(prebuiltByVar.get(receiver) ?? [], file, (a) => a.site.file)[0];
        if (agent && !runsPrebuilt.has(c.fn)) runsPrebuilt.set(c.fn, agent);
      }
    /**
     * What a node's callable is: a prebuilt agent (already counted), a node that runs a model
     * or an agent (one agent per node), or neither (a tool node, a router, a subgraph).
     */
    const nodeKind = (file: PythonFacts, target: ArgValue | undefined, line: number, depth = 0): NodeKind => {
      if (!target || depth > 2) return { kind: 'plain' };
      if (target.kind === 'name') {
        const prebuilt =
          prebuiltVars.get(`${file.path}:${target.value}`) ??
          preferLocal(prebuiltByVar.get(target.value) ?? [], file, (a) => a.site.file)[0] ??
          runsPrebuilt.get(lastSegment(target.value));
        if (prebuilt) return { kind: 'prebuilt', agent: prebuilt };
        if (llmFns.has(lastSegment(target.value))) return { kind: 'node' };
        const bound = boundCall(file, target.value, line);
        return bound
          ? nodeKind(file, { kind: 'call', callee: bound.callee, call: bound }, line, depth + 1)
          : { kind: 'plain' };
      }
      if (target.kind !== 'call') return { kind: 'plain' };
      const call = target.call;
      const prebuilt = prebuiltAt.get(`${file.path}:${call.line}`);
      if (prebuilt && PREBUILT.includes(lastSegment(call.callee)))
        return { kind: 'prebuilt', agent: prebuilt };
      const callee = lastSegment(call.callee);
      if (callee === 'compile') return { kind: 'plain' }; // a subgraph: its nodes count in its own graph
      if (callee === 'partial') {
        // `functools.partial(agent_node, agent=research_agent, name="Researcher")`
        const inner = nodeKind(file, call.args[0], line, depth + 1);
        if (inner.kind !== 'plain') return inner.kind === 'prebuilt' ? { kind: 'node' } : inner;
        const agentArg = call.kwargs.get('agent') ?? call.args[1];
        if (
          call.kwargs.has('agent') ||
          (agentArg?.kind === 'name' && prebuiltVars.has(`${file.path}:${agentArg.value}`))
        )
          return { kind: 'node' };
        return { kind: 'plain' };
      }
      const factoryAgent = prebuiltFns.get(callee);
      if (factoryAgent) {
        // The first node a factory makes is the agent it builds; each further node is another.
        if (!usedFactories.has(callee)) {
          usedFactories.add(callee);
          return { kind: 'prebuilt', agent: factoryAgent };
        }
        return { kind: 'node' };
      }
      if (llmFns.has(callee) && ctx.functionsNamed(callee).length > 0) return { kind: 'node' };
      return { kind: 'plain' };
    };
    for (const cs of ctx.callsTo(['langgraph'], ['StateGraph', 'MessageGraph'])) {
      const graphVar = cs.call.assignedTo;
      if (graphVar === null) continue;
      const calls = cs.file.calls;
      const compile = calls.find((c) => c.callee === `${graphVar}.compile`);
      if (!compile) continue;
      const members: string[] = [];
      for (const add of calls.filter((c) => c.callee === `${graphVar}.add_node`)) {
        const nodeName = strOf(add.args[0]);
        // `add_node(fn)` names the node after the function; `add_node(name, fn)` with a
        // variable as the name (a loop variable) is the two-argument form too.
        const target = add.args.length >= 2 ? add.args[1] : (add.kwargs.get('action') ?? add.args[0]);
        const label = nodeName ?? (target?.kind === 'name' ? lastSegment(target.value) : `node@${add.line}`);
        const kind = nodeKind(cs.file, target, add.line);
        // `for name in ["research", "write"]: graph.add_node(name, make_node(name))` (or over
        // `NODE_NAMES = [...]`) adds one node per iteration: each is an agent when the node runs
        // a model or an agent. A prebuilt agent made in that same loop is copied by the analysis.
        const copies =
          kind.kind === 'prebuilt' && builtInLoop(kind.agent) ? 1 : (loops.of(add, cs.file) ?? 1);
        const nodeSite: CallSite = { file: cs.file, call: add };
        for (let i = 0; i < copies; i++) {
          if (kind.kind === 'prebuilt' && i === 0) members.push(kind.agent.name);
          else if (kind.kind !== 'plain') {
            const agent = newAgent(this.displayName, nodeSite, {
              name: copies > 1 ? `${label}#${i + 1}` : label,
              toolRefs: [],
            });
            if (copies > 1) agent.id = `${agent.id}#${i + 1}`;
            d.agents.push(agent);
            members.push(agent.name);
          }
        }
        if (kind.kind !== 'plain') continue;
        if (target?.kind === 'name' && ctx.functionsNamed(lastSegment(target.value)).length > 0)
          // A node function that may run an agent of another framework (`await planner.run(…)`):
          // the analysis resolves it to that agent, or to nothing.
          members.push(lastSegment(target.value));
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
