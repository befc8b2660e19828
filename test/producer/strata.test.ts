import { describe, expect, it } from 'vitest';
import {
  defaultStrataFile,
  formatStrataProblems,
  loadStrata,
  parseStrata,
} from '../../src/producer/discover/strata.js';

const parse = (text: string) => parseStrata('strata.yaml', Buffer.from(text));

describe('strata config', () => {
  it('ships the 8 strata with their targets', async () => {
    const loaded = await loadStrata(defaultStrataFile());
    if (!loaded.ok) throw new Error(formatStrataProblems(loaded.problems));
    const { strata } = loaded.config;
    expect(strata.map((s) => [s.name, s.target])).toEqual([
      ['langchain_active', 8000],
      ['crewai', 6000],
      ['langgraph', 5000],
      ['autogen', 3000],
      ['llamaindex', 3000],
      ['agno_smolagents_other', 3000],
      ['high_maturity', 5000],
      ['discovery_pool', 10000],
    ]);
    expect(strata.find((s) => s.name === 'autogen')!.queries).toEqual([
      'autogen agent pushed:>2025-01-01',
      'autogen multi-agent pushed:>2025-01-01',
    ]);
    expect(loaded.config.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.config.includeForks).toBe(true);
  });

  it('names the file, the line, the entry and the problem', () => {
    const result = parse(
      [
        'seed: 3',
        'strata:',
        '  - name: ok',
        '    target: 10',
        '    queries: [a]',
        '  - name: crewai',
        '    target: lots',
        '    queries: [crewai]',
        '  - name: Bad-Name',
        '    target: 5',
        '    queries: []',
        '  - name: ok',
        '    target: 1',
        '    queries: ["x|y"]',
        '    extra: 1',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = formatStrataProblems(result.problems);
    expect(text).toContain(
      'strata.yaml:7: strata[1] "crewai": target must be a positive integer, got "lots"',
    );
    expect(text).toContain('strata[2] "Bad-Name": name must match');
    expect(text).toContain('strata[2] "Bad-Name": queries must be a non-empty list');
    expect(text).toContain('strata.yaml:12: strata[3] "ok": duplicate stratum name "ok"');
    expect(text).toContain('strata[3] "ok" queries[0] "x|y": GitHub search has no "|" operator');
    expect(text).toContain('unknown key "extra"');
  });

  it('reports broken YAML and a missing file', async () => {
    const broken = parse('strata:\n  - name: a\n    target: [1\n');
    expect(broken.ok).toBe(false);
    if (!broken.ok)
      expect(formatStrataProblems(broken.problems)).toMatch(/strata\.yaml:\d+: file: invalid YAML/);
    const empty = parse('seed: 1\n');
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(formatStrataProblems(empty.problems)).toContain('strata: must be a non-empty list');
    const missing = await loadStrata('/nonexistent/strata.yaml');
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(formatStrataProblems(missing.problems)).toContain(
        '/nonexistent/strata.yaml: file: cannot read strata file: file not found',
      );
  });
});
