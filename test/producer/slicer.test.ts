import { describe, expect, it } from 'vitest';
import {
  composeQuery,
  dayNumber,
  isSubsumedBy,
  type ParsedQuery,
  parseQuery,
} from '../../src/producer/discover/query.js';
import {
  EARLIEST_CREATED_DAY,
  rootSlice,
  type Slice,
  splitSlice,
} from '../../src/producer/discover/slicer.js';

function parsed(text: string): ParsedQuery {
  const result = parseQuery(text);
  if (!result.ok) throw new Error(result.error);
  return result.query;
}

const options = { includeForks: true, untilDay: dayNumber('2026-11-25')! };
const ref = (text: string) => ({ stratum: 's', stratumIndex: 0, queryIndex: 0, text, parsed: parsed(text) });

describe('query parsing', () => {
  it('separates terms, qualifiers and the created/stars ranges', () => {
    const q = parsed(
      'LangChain agent language:python pushed:>2025-06-01 stars:>100 created:2024-01-01..2024-12-31',
    );
    expect(q.terms).toEqual(['langchain', 'agent']);
    expect(q.qualifiers).toEqual(['language:python', 'pushed:>2025-06-01']);
    expect(q.stars).toEqual({ lo: 101, hi: Infinity });
    expect(q.created).toEqual({ lo: dayNumber('2024-01-01'), hi: dayNumber('2024-12-31') });
  });

  it('rejects what GitHub would not understand, with a reason', () => {
    expect(parseQuery('langchain agent|tool|graph')).toMatchObject({
      ok: false,
      error: expect.stringContaining('"|"'),
    });
    expect(parseQuery('x created:2024-13-01')).toMatchObject({
      ok: false,
      error: expect.stringContaining('created:'),
    });
    expect(parseQuery('x stars:lots')).toMatchObject({ ok: false });
    expect(parseQuery('   ')).toMatchObject({ ok: false, error: 'query is empty' });
    expect(parseQuery('a '.repeat(200))).toMatchObject({ ok: false, error: expect.stringContaining('256') });
  });

  it('composes a slice query with forks included and a stable sort', () => {
    const q = parsed('ai agent stars:>100');
    expect(
      composeQuery(
        q,
        { created: { lo: dayNumber('2025-01-01')!, hi: dayNumber('2025-01-31')! }, stars: null },
        { includeForks: true },
      ),
    ).toBe('ai agent created:2025-01-01..2025-01-31 stars:>=101 fork:true sort:created-asc');
    expect(
      composeQuery(parsed('x fork:only'), { created: null, stars: { lo: 5, hi: 5 } }, { includeForks: true }),
    ).toBe('x fork:only stars:5 sort:created-asc');
  });

  it('knows when a query can only return a subset of another', () => {
    expect(isSubsumedBy(parsed('crewai crew'), parsed('crewai'))).toBe(true);
    expect(isSubsumedBy(parsed('langgraph agent language:python'), parsed('langgraph'))).toBe(true);
    expect(isSubsumedBy(parsed('crewai'), parsed('crewai crew'))).toBe(false);
    expect(isSubsumedBy(parsed('ai agent stars:>50'), parsed('ai agent stars:>100'))).toBe(false);
    expect(isSubsumedBy(parsed('ai agent stars:>100'), parsed('ai agent stars:>50'))).toBe(true);
    expect(isSubsumedBy(parsed('autogen agent'), parsed('autogen agent pushed:>2025-01-01'))).toBe(false);
  });
});

describe('adaptive slicing', () => {
  it('halves created: down to single days, then splits stars, and always ends', () => {
    const frontier: Slice[] = [rootSlice(ref('langgraph'), options)];
    let steps = 0;
    const leaves: Slice[] = [];
    // Split everything as if every slice were over the cap: must bottom out.
    while (frontier.length > 0 && steps < 200_000) {
      const slice = frontier.pop()!;
      steps++;
      const halves = splitSlice(slice, options);
      if (!halves) {
        leaves.push(slice);
        continue;
      }
      // The halves partition their parent exactly.
      const [a, b] = halves;
      if (a.created!.lo !== b.created!.lo) {
        expect(a.created!.hi + 1).toBe(b.created!.lo);
      } else {
        expect(a.stars!.hi + 1).toBe(b.stars!.lo);
      }
      // Only follow one branch deeply to keep the walk small.
      frontier.push(a.depth < 30 ? a : b);
    }
    expect(leaves.length).toBeGreaterThan(0);
    const leaf = leaves[0]!;
    expect(leaf.created!.lo).toBe(leaf.created!.hi);
    expect(leaf.stars!.lo).toBe(leaf.stars!.hi);
    expect(leaf.query).toMatch(/created:\d{4}-\d{2}-\d{2} stars:\d+ fork:true/);
  });

  it('covers every day from the earliest to the freeze day, inside a query created: range', () => {
    const root = rootSlice(ref('x'), options);
    const [a, b] = splitSlice(root, options)!;
    expect(a.created!.lo).toBe(EARLIEST_CREATED_DAY);
    expect(b.created!.hi).toBe(options.untilDay);
    const bounded = rootSlice(ref('x created:>=2025-01-01'), options);
    const [c, d] = splitSlice(bounded, options)!;
    expect(c.created!.lo).toBe(dayNumber('2025-01-01'));
    expect(d.created!.hi).toBe(options.untilDay);
    expect(new Set([root.key, a.key, b.key, c.key, d.key]).size).toBe(5);
  });

  it('splits stars within the query own stars: range', () => {
    const day = dayNumber('2025-03-10')!;
    const slice: Slice = { ...rootSlice(ref('ai agent stars:>100'), options), created: { lo: day, hi: day } };
    const [a, b] = splitSlice(slice, options)!;
    expect(a.stars).toEqual({ lo: 101, hi: 211 });
    expect(b.stars).toEqual({ lo: 212, hi: Infinity });
    expect(a.query).toContain('created:2025-03-10 stars:101..211');
  });
});
