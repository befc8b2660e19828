import type { Detection, ImportFact } from '../model.js';
import type { DetectContext } from './detect-context.js';

/**
 * One agent framework. Adding a framework = adding a folder under `frameworks/` whose
 * `index.ts` exports a `FrameworkDetector`, and listing it in `registry.ts`.
 */
export interface FrameworkDetector {
  /** Folder name and stable id (`crewai`, `openai_agents`). */
  id: string;
  /** Name written into the ping (`CrewAI`, `OpenAI Agents`). */
  displayName: string;
  /** Import patterns that make the framework present (see `inModules`). */
  modules: readonly string[];
  /** Distribution names carrying its version, most specific first. */
  packages: readonly string[];
  /** Files its detection reads besides Python sources (documentation of what it looks at). */
  filePatterns: readonly string[];
  /** Overrides "an import matches `modules`" (e.g. a local package shadowing the name). */
  isPresentImport?(imp: ImportFact, ctx: DetectContext): boolean;
  detect(ctx: DetectContext): Detection;
}
