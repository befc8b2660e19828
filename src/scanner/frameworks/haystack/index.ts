import { emptyDetection } from '../../model.js';
import { hasSetting, newAgent } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['haystack', 'haystack_integrations'];

export const haystack: FrameworkDetector = {
  id: 'haystack',
  displayName: 'Haystack',
  modules: ROOTS,
  packages: ['haystack-ai', 'farm-haystack'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    for (const cs of ctx.callsTo(ROOTS, ['Agent'])) {
      d.agents.push(newAgent(this.displayName, cs, { bounded: hasSetting(cs.call, ['max_agent_steps']) }));
    }
    d.tools.push(
      ...detectTools(ctx, { roots: ROOTS, decorators: ['tool'], factories: ['Tool', 'ComponentTool'] }),
    );
    return d;
  },
};
