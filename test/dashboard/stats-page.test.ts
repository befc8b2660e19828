import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { STATS_PAGE_JS } from '../../src/dashboard/stats-page.js';

describe('stats page script', () => {
  // The script is a JS string inside a TS template literal: an unescaped `\n` there becomes a raw
  // newline inside a JS string literal, a SyntaxError that stops the page from ever updating.
  it('is valid JavaScript as served', () => {
    expect(() => new Script(STATS_PAGE_JS, { filename: 'assets/stats.js' })).not.toThrow();
  });
});
