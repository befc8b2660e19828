import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRAMEWORK_DETECTORS } from '../../src/scanner/frameworks/registry.js';

const FRAMEWORKS_DIR = path.resolve(import.meta.dirname, '../../src/scanner/frameworks');

describe('framework registry', () => {
  it('lists exactly one detector per folder under src/scanner/frameworks', () => {
    const folders = readdirSync(FRAMEWORKS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(FRAMEWORK_DETECTORS.map((d) => d.id).sort()).toEqual(folders);
  });

  it('has unique ids and display names, and covers the frameworks of the contract', () => {
    const names = FRAMEWORK_DETECTORS.map((d) => d.displayName);
    expect(new Set(names).size).toBe(names.length);
    for (const required of [
      'LangChain',
      'CrewAI',
      'LangGraph',
      'AutoGen',
      'LlamaIndex',
      'Agno',
      'SmolAgents',
      'OpenAI Agents',
      'PydanticAI',
      'Semantic Kernel',
      'Haystack',
      'DSPy',
    ])
      expect(names).toContain(required);
  });
});
