import { lastSegment } from '../frameworks/detect-context.js';
import type { AgentDef, CallFact, PythonFacts } from '../model.js';
import {
  constructionCall,
  IDENTITY_KWARGS,
  type LoopIterations,
  MAX_LOOP_COPIES,
} from './loop-iterations.js';
import { callSiteKey, importsModuleAt } from './references.js';

/**
 * An agent built inside a function and named by what the function is given (`def make_agent(role):
 * return Agent(role=role, …)`) is one agent per call of that function: `lead = make_agent("lead")`
 * and `team = [make_agent(r) for r in ROLES]` over three roles are four agents. The calls counted
 * are those of the repository's own code outside the function itself, in the function's module or
 * a module importing it; a call in a loop over literal data counts once per iteration. An agent
 * whose role or name is a literal (`def make_writer(): return Agent(role="Writer", …)`) stays one
 * agent however often it is made, as does one already copied for a loop around its construction
 * (`loopCopies`, from `expandLoopAgents`).
 * A call written in a group's member list (`Crew(agents=[make_agent("qa"), make_agent("dev")])`)
 * counts as one made and kept too (`memberCalls`: such calls of the groups, one group per call
 * site, and the file they are written in).
 * Each instance after the first is a copy with the id `<id>#<n>`. `atSite` maps a call site
 * (`callSiteKey`) to the instances it makes, for group membership. `code`: the repository's
 * files that are not tests.
 */
export function expandFactoryAgents(
  agents: readonly AgentDef[],
  code: readonly PythonFacts[],
  filesByPath: ReadonlyMap<string, PythonFacts>,
  loops: LoopIterations,
  loopCopies: ReadonlyMap<string, readonly string[]>,
  memberCalls: readonly { file: PythonFacts; call: CallFact }[] = [],
): { agents: AgentDef[]; atSite: Map<string, AgentDef[]> } {
  const out: AgentDef[] = [];
  const atSite = new Map<string, AgentDef[]>();
  const copiedForLoops = new Set([...loopCopies.values()].flat());
  for (const agent of agents) {
    out.push(agent);
    if (agent.fn === null || copiedForLoops.has(agent.id)) continue;
    const construction = constructionCall(agent, filesByPath.get(agent.site.file));
    if (construction === null || construction.inLoop || !namedByArgument(construction)) continue;
    const sites = callsOf(agent);
    const total = sites.reduce((n, s) => n + s.count, 0);
    if (total <= 1) continue;
    let made = 0;
    for (const s of sites) {
      const instances: AgentDef[] = [];
      for (let i = 0; i < s.count && made < MAX_LOOP_COPIES; i++, made++)
        instances.push(made === 0 ? agent : { ...agent, id: `${agent.id}#${made + 1}` });
      if (instances.length === 0) break;
      atSite.set(s.key, instances);
      for (const inst of instances) if (inst !== agent) out.push(inst);
    }
  }
  return { agents: out, atSite };

  /** The calls of the agent's function, by call site; two calls on one line share a site. */
  function callsOf(agent: AgentDef): { key: string; count: number }[] {
    const fn = agent.fn as string;
    const counts = new Map<string, number>();
    const add = (f: PythonFacts, c: CallFact): void => {
      if (c.fn === fn || lastSegment(c.callee) !== fn) return;
      if (f.path !== agent.site.file && !importsModuleAt(f, agent.site.file)) return;
      const key = callSiteKey(f, c);
      counts.set(key, (counts.get(key) ?? 0) + (loops.of(c, f) ?? 1));
    };
    // Only what is bound or appended is a made agent the code keeps (a bare `make_agent(x)`
    // statement is not kept by the fact extraction, nor counted here).
    for (const f of code) {
      for (const c of f.calls) if (c.assignedTo !== null || c.appendedTo !== null) add(f, c);
    }
    for (const m of memberCalls)
      if (m.call.assignedTo === null && m.call.appendedTo === null) add(m.file, m.call);
    return [...counts].map(([key, count]) => ({ key, count }));
  }
}

/**
 * Whether an agent's name or role is not written in its construction but comes from a variable
 * or an expression (`role=role`, `name=spec["name"]`, `AssistantAgent(name, …)`). Options passed
 * through (`**kwargs`) name nothing: such a factory builds the same agent each time.
 */
function namedByArgument(call: CallFact): boolean {
  const named = IDENTITY_KWARGS.map((k) => call.kwargs.get(k)).filter((v) => v !== undefined);
  if (named.length > 0) return named.every((v) => v.kind !== 'str');
  return call.args[0]?.kind === 'name';
}
