import { emptyDetection } from '../../model.js';
import { agentConstructions, hasSetting, lastSegment, newAgent } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['llama_index'];
const AGENTS = [
  'ReActAgent',
  'FunctionAgent',
  'OpenAIAgent',
  'FunctionCallingAgent',
  'CodeActAgent',
  'StructuredPlannerAgent',
  'OpenAIAssistantAgent',
];

export const llamaindex: FrameworkDetector = {
  id: 'llamaindex',
  displayName: 'LlamaIndex',
  modules: ROOTS,
  packages: ['llama-index', 'llama-index-core'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    for (const cs of agentConstructions(ctx, ROOTS, AGENTS)) {
      const code = cs.call.callee.includes('CodeActAgent');
      d.agents.push(
        newAgent(this.displayName, cs, {
          bounded: hasSetting(cs.call, ['max_iterations']),
          intrinsic: code ? ['code_execution'] : [],
          toolRefs:
            lastSegment(cs.call.callee) === 'from_tools' && cs.call.args[0]?.kind === 'list'
              ? newAgent(this.displayName, {
                  ...cs,
                  call: { ...cs.call, kwargs: new Map([['tools', cs.call.args[0]]]) },
                }).toolRefs
              : undefined,
        }),
      );
    }
    d.tools.push(
      ...detectTools(ctx, {
        roots: ROOTS,
        factories: ['FunctionTool.from_defaults', 'QueryEngineTool.from_defaults'],
        baseClasses: ['BaseTool'],
      }),
    );
    return d;
  },
};
