import type { TestProject } from 'vitest/node';
import { missingPrerequisites } from './prerequisites.js';

/** The run's file filters (`vitest run test/x`); none, or an unknown shape: the whole suite. */
function runFilters(project: TestProject): string[] {
  // Vitest keeps the command line's filters on an internal field; should it move, every
  // prerequisite is checked (the strict side), never fewer.
  const pattern = (project.vitest as unknown as { filenamePattern?: unknown }).filenamePattern;
  return Array.isArray(pattern) && pattern.every((f) => typeof f === 'string') ? pattern : [];
}

/** Fails the whole run before any test starts when the machine lacks something the run needs. */
export default async function setup(project: TestProject): Promise<void> {
  const missing = await missingPrerequisites(runFilters(project));
  if (missing.length === 0) return;
  throw new Error(`the test suite cannot run here:\n  - ${missing.join('\n  - ')}`);
}
