import { emptyDetection } from '../../model.js';
import { hasSetting, isTrue, kw, memberList, newAgent, newGroup, site } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['agno', 'phi'];

export const agno: FrameworkDetector = {
  id: 'agno',
  displayName: 'Agno',
  modules: ROOTS,
  packages: ['agno', 'phidata'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    for (const cs of ctx.callsTo(ROOTS, ['Agent', 'Assistant'])) {
      const c = cs.call;
      d.agents.push(newAgent(this.displayName, cs, { bounded: hasSetting(c, ['tool_call_limit']) }));
    }
    for (const cs of ctx.callsTo(ROOTS, ['Team'])) {
      const c = cs.call;
      const mode = kw(c, 'mode');
      d.groups.push(
        newGroup(this.displayName, 'team', cs, {
          ...memberList(kw(c, 'members'), cs.file),
          bounded: true,
          sequential: mode?.kind === 'str' && mode.value === 'route',
        }),
      );
    }
    for (const file of ctx.files) {
      if (file.isTest) continue;
      for (const fn of file.functions)
        for (const dec of fn.decorators)
          if (
            isTrue(dec.kwargs.get('requires_confirmation')) ||
            isTrue(dec.kwargs.get('requires_user_input'))
          )
            d.hitlSites.push({ file: file.path, line: fn.line });
    }
    for (const cs of ctx.callsTo(ROOTS, [
      'SqliteStorage',
      'PostgresStorage',
      'SqliteAgentStorage',
      'PostgresAgentStorage',
      'SqliteDb',
      'PostgresDb',
    ]))
      d.checkpoints.push({ kind: 'persistent', site: site(cs) });
    d.tools.push(...detectTools(ctx, { roots: ROOTS, decorators: ['tool'], baseClasses: ['Toolkit'] }));
    return d;
  },
};
