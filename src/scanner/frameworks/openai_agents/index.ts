import { emptyDetection } from '../../model.js';
import { kw, lastSegment, newAgent, refNames } from '../detect-context.js';
import type { FrameworkDetector } from '../detector.js';
import { detectTools } from '../tool-sites.js';

export const openaiAgents: FrameworkDetector = {
  id: 'openai_agents',
  displayName: 'OpenAI Agents',
  modules: ['agents'],
  packages: ['openai-agents'],
  filePatterns: ['**/*.py', '**/*.ipynb'],
  isPresentImport(imp, ctx) {
    if (imp.module !== 'agents' && !imp.module.startsWith('agents.')) return false;
    // `agents` is also the most common name of a local package: the SDK only when nothing in
    // the repository provides that module.
    if (ctx.localModules.has('agents')) return false;
    if (imp.module.startsWith('agents.'))
      return /^agents\.(mcp|extensions|tracing|models|voice|realtime)/.test(imp.module);
    // Nothing in the repository provides `agents`: the installed package of that import name
    // is the SDK, whatever names are imported from it (even misspelt ones).
    return true;
  },
  detect(ctx) {
    const d = emptyDetection();
    if (ctx.localModules.has('agents')) return d;
    for (const cs of ctx.callsTo(['agents'], ['Agent'])) {
      const handoffs = refNames(kw(cs.call, 'handoffs'), cs.file);
      d.agents.push(
        newAgent(this.displayName, cs, {
          // The SDK's Runner stops after max_turns (default 10).
          bounded: true,
          delegatesTo: handoffs,
          delegates: handoffs.length > 0,
        }),
      );
    }
    d.tools.push(...detectTools(ctx, { roots: ['agents'], decorators: ['function_tool'] }));
    for (const a of d.agents) a.toolRefs = a.toolRefs.map((r) => lastSegment(r));
    return d;
  },
};
