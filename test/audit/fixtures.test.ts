import { describe, expect, it } from 'vitest';
import { formatIssues, validatePing } from '../../src/core/contract/index.js';
import { failed, ping } from './fixtures.js';

describe('test fixtures', () => {
  it('hand-made pings pass the contract', () => {
    for (const p of [
      ping({ repo: 'a/b', rules: { R1: -3, R2: -5 }, deploy: 4, frameworks: ['CrewAI', 'LangChain'] }),
      ping({ repo: 'a/c', status: 'partial' }),
      failed('a/d'),
      failed('a/e', 'empty', 'no_agents'),
    ]) {
      const v = validatePing(p);
      expect(v.ok ? '' : formatIssues(v.errors)).toBe('');
    }
  });
});
