import { emptyDetection } from '../../model.js';
import { newAgent } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

export const pydanticAi: FrameworkDetector = {
  id: 'pydantic_ai',
  displayName: 'PydanticAI',
  modules: ['pydantic_ai'],
  packages: ['pydantic-ai', 'pydantic-ai-slim'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  detect(ctx) {
    const d = emptyDetection();
    const agents = ctx.callsTo(['pydantic_ai'], ['Agent']);
    for (const cs of agents) {
      // Runs stop at UsageLimits.request_limit (default 50).
      const agent = newAgent(this.displayName, cs, { bounded: true });
      d.agents.push(agent);
    }
    const tools = detectTools(ctx, {
      roots: ['pydantic_ai'],
      methodDecorators: ['tool', 'tool_plain'],
      factories: ['Tool'],
    });
    d.tools.push(...tools);
    // `@agent.tool` attaches the function to that agent.
    for (const file of ctx.files) {
      for (const fn of file.functions) {
        for (const dec of fn.decorators) {
          const m = /^(\w+)\.(tool|tool_plain)$/.exec(dec.name);
          if (!m) continue;
          const agent = d.agents.find((a) => a.name === m[1] && a.site.file === file.path);
          agent?.toolRefs.push(fn.name);
        }
      }
    }
    return d;
  },
};
