import { describe, expect, it } from 'vitest';
import { BUILT_IN_STRATA, loadStrataTargets } from '../../src/audit/strata-targets.js';
import {
  defaultStrataFile,
  formatStrataProblems,
  loadStrata,
  parseStrata,
} from '../../src/producer/discover/strata.js';

/**
 * The reference pipeline's strata (stratum-cli `pipeline/config.py`, `STRATA`, at 7cec1f0),
 * written out here so the test fails when config/strata.yaml drifts from them.
 */
const LANGUAGE_PYTHON = 'language:python';

const REFERENCE_STRATA = [
  {
    name: 'langchain_active',
    target: 8000,
    queries: [
      'langchain agent language:python pushed:>2025-06-01',
      'langchain tool language:python pushed:>2025-06-01',
      'langchain graph language:python pushed:>2025-06-01',
    ],
  },
  {
    name: 'crewai',
    target: 6000,
    queries: ['crewai language:python pushed:>2025-06-01', 'crewai crew language:python pushed:>2025-06-01'],
  },
  {
    name: 'langgraph',
    target: 5000,
    queries: [
      'langgraph language:python pushed:>2025-06-01',
      'langgraph agent language:python pushed:>2025-06-01',
    ],
  },
  {
    name: 'autogen',
    target: 3000,
    queries: [
      'autogen agent language:python pushed:>2025-01-01',
      'autogen multi-agent language:python pushed:>2025-01-01',
    ],
  },
  {
    name: 'llamaindex',
    target: 3000,
    queries: [
      'llamaindex agent language:python pushed:>2025-01-01',
      'llama-index agent language:python pushed:>2025-01-01',
    ],
  },
  {
    name: 'agno_smolagents_other',
    target: 3000,
    queries: [
      'agno agent language:python pushed:>2025-06-01',
      'smolagents language:python pushed:>2025-06-01',
      'ai agent framework language:python pushed:>2025-06-01',
    ],
  },
  {
    name: 'high_maturity',
    target: 5000,
    queries: [
      'ai agent language:python stars:>100',
      'llm agent language:python stars:>50 pushed:>2024-06-01',
    ],
  },
  {
    name: 'discovery_pool',
    target: 10000,
    queries: [
      'ai agent python language:python pushed:>2025-06-01',
      'llm agent language:python pushed:>2025-06-01',
      'autonomous agent language:python pushed:>2025-01-01',
    ],
  },
];

const parse = (text: string) => parseStrata('strata.yaml', Buffer.from(text));

describe('strata config', () => {
  it("ships the reference pipeline's 8 strata, query for query and target for target", async () => {
    const loaded = await loadStrata(defaultStrataFile());
    if (!loaded.ok) throw new Error(formatStrataProblems(loaded.problems));
    const { strata } = loaded.config;
    expect(strata.map((s) => ({ name: s.name, target: s.target, queries: s.queries }))).toEqual(
      REFERENCE_STRATA,
    );
    // Every query is narrowed to Python like the reference's, and all but high_maturity's
    // first to recently pushed repositories: without them a stratum fills with repositories
    // the dataset should not contain.
    for (const s of strata) {
      for (const q of s.parsedQueries) expect(q.qualifiers).toContainEqual(LANGUAGE_PYTHON);
    }
    expect(loaded.config.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.config.includeForks).toBe(true);
  });

  it('the audit reads the same targets from the shipped file', async () => {
    const targets = await loadStrataTargets(defaultStrataFile());
    expect(targets.strata).toEqual(REFERENCE_STRATA.map(({ name, target }) => ({ name, target })));
    expect(BUILT_IN_STRATA).toEqual(targets.strata);
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
