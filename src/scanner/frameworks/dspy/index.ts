import { emptyDetection } from '../../model.js';
import { kw, lastSegment, newAgent, refNames } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

const ROOTS = ['dspy'];

export const dspy: FrameworkDetector = {
  id: 'dspy',
  displayName: 'DSPy',
  modules: ROOTS,
  packages: ['dspy', 'dspy-ai'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    for (const cs of ctx.callsTo(ROOTS, ['ReAct', 'CodeAct', 'ProgramOfThought'])) {
      const cls = lastSegment(cs.call.callee);
      d.agents.push(
        newAgent(this.displayName, cs, {
          toolRefs: refNames(kw(cs.call, 'tools') ?? cs.call.args[1], cs.file),
          // ReAct stops after max_iters (default 20).
          bounded: true,
          intrinsic: cls === 'ReAct' ? [] : ['code_execution'],
        }),
      );
    }
    d.tools.push(...detectTools(ctx, { roots: ROOTS, factories: ['Tool'] }));
    return d;
  },
};
