import { boundCall } from '../../analysis/references.js';
import type { ArgValue, CallFact, PythonFacts } from '../../model.js';
import { emptyDetection } from '../../model.js';
import { hasSetting, isTrue, kw, memberList, newAgent, newGroup, site } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['crewai', 'crewai_tools'];

/**
 * A crew given only `tasks=[…]`: its members are the tasks' agents (`Task(agent=writer)` or a
 * task factory called with `agent=writer`), each once, in task order.
 */
function taskAgents(tasks: ArgValue | undefined, file: PythonFacts, line: number): string[] {
  const out: string[] = [];
  const agentOf = (call: CallFact | null): void => {
    const a = call?.kwargs.get('agent');
    if (a?.kind === 'name' && !out.includes(a.value)) out.push(a.value);
  };
  const items = tasks?.kind === 'list' ? tasks.items : [];
  for (const item of items) {
    if (item.kind === 'call') agentOf(item.call);
    else if (item.kind === 'name') agentOf(boundCall(file, item.value, line));
  }
  return out;
}

export const crewai: FrameworkDetector = {
  id: 'crewai',
  displayName: 'CrewAI',
  modules: ['crewai', 'crewai_tools'],
  packages: ['crewai', 'crewai-tools'],
  filePatterns: ['**/*.py', '**/*.ipynb', '**/config/agents.yaml', '**/config/tasks.yaml'],
  detect(ctx) {
    const d = emptyDetection();
    const agentsByFile = new Map<string, string[]>();
    for (const cs of ctx.callsTo(['crewai'], ['Agent'])) {
      const c = cs.call;
      const codeExec = isTrue(kw(c, 'allow_code_execution'));
      const agent = newAgent(this.displayName, cs, {
        bounded: hasSetting(c, ['max_iter', 'max_execution_time']),
        delegates: isTrue(kw(c, 'allow_delegation')),
        intrinsic: codeExec ? ['code_execution'] : [],
        hitl: isTrue(kw(c, 'human_input')),
      });
      d.agents.push(agent);
      if (codeExec) d.dangerousFlags.push({ flag: 'allow_code_execution', site: site(cs) });
      const list = agentsByFile.get(cs.file.path) ?? [];
      list.push(agent.name);
      agentsByFile.set(cs.file.path, list);
    }
    for (const cs of ctx.callsTo(['crewai'], ['Crew'])) {
      const c = cs.call;
      const agentsArg = kw(c, 'agents');
      // `agents=self.agents` (CrewBase): every agent built in the same file.
      const crewBase = agentsArg?.kind === 'name' && agentsArg.value === 'self.agents';
      const listed = crewBase || agentsArg === undefined ? null : memberList(agentsArg, cs.file);
      const members = crewBase
        ? (agentsByFile.get(cs.file.path) ?? [])
        : (listed?.memberRefs ?? taskAgents(kw(c, 'tasks'), cs.file, c.line));
      const process = kw(c, 'process');
      const hierarchical = process?.kind === 'name' && process.value.endsWith('hierarchical');
      const flows: [string, string][] = [];
      if (!hierarchical)
        for (let i = 1; i < members.length; i++) flows.push([members[i - 1] as string, members[i] as string]);
      d.groups.push(
        newGroup(this.displayName, 'crew', cs, {
          memberRefs: members,
          memberCalls: listed?.memberCalls ?? new Map(),
          sequential: !hierarchical,
          bounded: !hierarchical || hasSetting(c, ['max_rpm']),
          flows,
        }),
      );
    }
    for (const cs of ctx.callsTo(['crewai'], ['Task'])) {
      if (isTrue(kw(cs.call, 'human_input'))) d.hitlSites.push(site(cs));
    }
    for (const a of d.agents) if (a.hitl) d.hitlSites.push(a.site);
    d.tools.push(...detectTools(ctx, { roots: ROOTS, decorators: ['tool'], baseClasses: ['BaseTool'] }));
    return d;
  },
};
