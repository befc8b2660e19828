import { emptyDetection } from '../../model.js';
import { hasSetting, kw, lastSegment, newAgent, newGroup, refNames, site } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['smolagents'];
const AGENTS = ['CodeAgent', 'ToolCallingAgent', 'ManagedAgent', 'MultiStepAgent'];

export const smolagents: FrameworkDetector = {
  id: 'smolagents',
  displayName: 'SmolAgents',
  modules: ROOTS,
  packages: ['smolagents'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    for (const cs of ctx.callsTo(ROOTS, AGENTS)) {
      const c = cs.call;
      const cls = lastSegment(c.callee);
      const managed = refNames(kw(c, 'managed_agents'), cs.file);
      const agent = newAgent(this.displayName, cs, {
        bounded: hasSetting(c, ['max_steps']),
        intrinsic: cls === 'CodeAgent' ? ['code_execution'] : [],
        delegatesTo: managed,
        delegates: managed.length > 0,
      });
      if (cls === 'ManagedAgent') {
        // A wrapper around an agent counted where it was built.
        continue;
      }
      d.agents.push(agent);
      const imports = kw(c, 'additional_authorized_imports');
      if (imports?.kind === 'list' && imports.items.some((i) => i.kind === 'str' && i.value === '*'))
        d.dangerousFlags.push({ flag: 'additional_authorized_imports=*', site: site(cs) });
      if (managed.length > 0)
        d.groups.push(
          newGroup(this.displayName, 'managed', cs, {
            name: agent.name,
            memberRefs: [agent.name, ...managed],
            bounded: agent.bounded,
          }),
        );
    }
    d.tools.push(
      ...detectTools(ctx, {
        roots: ROOTS,
        decorators: ['tool'],
        baseClasses: ['Tool'],
        factories: ['Tool.from_space', 'load_tool', 'Tool.from_langchain'],
      }),
    );
    return d;
  },
};
