import { emptyDetection } from '../../model.js';
import { kw, newAgent, refNames } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['semantic_kernel'];
const AGENTS = [
  'ChatCompletionAgent',
  'OpenAIAssistantAgent',
  'AzureAIAgent',
  'AzureAssistantAgent',
  'OpenAIResponsesAgent',
];

export const semanticKernel: FrameworkDetector = {
  id: 'semantic_kernel',
  displayName: 'Semantic Kernel',
  modules: ROOTS,
  packages: ['semantic-kernel'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    for (const cs of ctx.callsTo(ROOTS, AGENTS)) {
      // Plugins are instances of classes whose methods are kernel functions.
      d.agents.push(
        newAgent(this.displayName, cs, {
          toolRefs: refNames(kw(cs.call, 'plugins'), cs.file),
          bounded: true,
        }),
      );
    }
    d.tools.push(...detectTools(ctx, { roots: ROOTS, decorators: ['kernel_function'] }));
    return d;
  },
};
