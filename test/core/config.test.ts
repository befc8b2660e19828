import { describe, expect, it } from 'vitest';

describe('settings table', () => {
  it('the README or a docs/ page documents every setting of src/core/config.ts', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { SETTINGS } = await import('../../src/core/config.js');
    const docs = new URL('../../docs/', import.meta.url);
    const readme = [
      readFileSync(new URL('../../README.md', import.meta.url), 'utf8'),
      ...readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .map((f) => readFileSync(new URL(f, docs), 'utf8')),
    ].join('\n');
    const missing = Object.values(SETTINGS)
      .map((s) => s.env)
      .filter((env) => !readme.includes(`\`${env}\``));
    expect(missing).toEqual([]);
  });
});
