import { describe, expect, it } from 'vitest';

describe('settings table', () => {
  it('the README documents every setting of src/core/config.ts', async () => {
    const { readFileSync } = await import('node:fs');
    const { SETTINGS } = await import('../../src/core/config.js');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const missing = Object.values(SETTINGS)
      .map((s) => s.env)
      .filter((env) => !readme.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });
});
