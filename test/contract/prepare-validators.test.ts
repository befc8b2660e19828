import { describe, expect, it } from 'vitest';
import { compiledValidators, prepareValidators } from '../../src/core/contract/index.js';

describe('prepareValidators', () => {
  it('compiles the validators asked for, and only those, before any record is validated', () => {
    // Each test file runs in its own module instance: nothing is compiled yet.
    expect(compiledValidators()).toEqual([]);
    prepareValidators(['ping']);
    expect(compiledValidators()).toEqual(['ping']);
    prepareValidators(['ping', 'manifest']);
    expect(compiledValidators()).toEqual(['manifest', 'ping']);
  });
});
