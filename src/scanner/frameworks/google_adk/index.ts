import { emptyDetection } from '../../model.js';
import { kw, newAgent, refNames } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['google.adk'];

export const googleAdk: FrameworkDetector = {
  id: 'google_adk',
  displayName: 'Google ADK',
  modules: ROOTS,
  packages: ['google-adk'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    for (const cs of ctx.callsTo(ROOTS, ['Agent', 'LlmAgent'])) {
      const subs = refNames(kw(cs.call, 'sub_agents'), cs.file);
      d.agents.push(
        newAgent(this.displayName, cs, {
          // Runs stop at RunConfig.max_llm_calls (default 500).
          bounded: true,
          delegatesTo: subs,
          delegates: subs.length > 0,
        }),
      );
    }
    d.tools.push(...detectTools(ctx, { roots: ROOTS, factories: ['FunctionTool', 'AgentTool'] }));
    return d;
  },
};
