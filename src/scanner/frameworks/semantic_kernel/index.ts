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
    // Plugins are instances of classes whose methods are kernel functions: a plugin reference
    // stands for those functions.
    const pluginFunctions = new Map<string, string[]>();
    for (const file of ctx.files)
      for (const fn of file.functions)
        if (fn.cls !== null && fn.decorators.some((dec) => dec.name.endsWith('kernel_function'))) {
          const list = pluginFunctions.get(fn.cls) ?? [];
          list.push(fn.name);
          pluginFunctions.set(fn.cls, list);
        }
    for (const cs of ctx.callsTo(ROOTS, AGENTS)) {
      const refs = refNames(kw(cs.call, 'plugins'), cs.file).flatMap((r) => pluginFunctions.get(r) ?? [r]);
      d.agents.push(newAgent(this.displayName, cs, { toolRefs: refs, bounded: true }));
    }
    d.tools.push(...detectTools(ctx, { roots: ROOTS, decorators: ['kernel_function'] }));
    return d;
  },
};
