import type { FakeRepo } from './population.js';

/**
 * The fake server's own implementation of GitHub repository search syntax (independent of
 * the production query code on purpose, so the tests do not check the code against itself).
 * Supported: bare terms (AND, matched in name/description/topics), `language:`, `created:`,
 * `pushed:`, `stars:` (`>`, `>=`, `<`, `<=`, `a..b`, `a..*`, `*..b`, exact), `fork:true|only|false`
 * (forks are excluded by default, as on GitHub), `archived:`, `sort:stars|created|updated[-asc|-desc]`.
 */
export class SearchSyntaxError extends Error {}

type Predicate = (repo: FakeRepo) => boolean;

interface ParsedSearch {
  terms: string[];
  predicates: Predicate[];
  forkMode: 'exclude' | 'include' | 'only';
  sort: { field: 'stars' | 'created' | 'updated' | 'best'; order: 'asc' | 'desc' };
}

function parseBound(raw: string, isDate: boolean, upper: boolean): number {
  if (!isDate) {
    if (!/^\d+$/.test(raw)) throw new SearchSyntaxError(`invalid number "${raw}"`);
    return Number(raw);
  }
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:]+(Z|[+-]\d{2}:\d{2})?)?$/.test(raw))
    throw new SearchSyntaxError(`invalid date "${raw}"`);
  if (raw.length === 10) return Date.parse(`${raw}T00:00:00Z`) + (upper ? 86_400_000 - 1 : 0);
  return Date.parse(raw);
}

function rangePredicate(value: string, isDate: boolean): (x: number) => boolean {
  const m = /^(>=|<=|>|<)(.+)$/.exec(value);
  if (m) {
    const op = m[1]!;
    const raw = m[2]!;
    if (op === '>') {
      const b = parseBound(raw, isDate, true);
      return (x) => x > b;
    }
    if (op === '>=') {
      const b = parseBound(raw, isDate, false);
      return (x) => x >= b;
    }
    if (op === '<') {
      const b = parseBound(raw, isDate, false);
      return (x) => x < b;
    }
    const b = parseBound(raw, isDate, true);
    return (x) => x <= b;
  }
  if (value.includes('..')) {
    const [lo, hi] = value.split('..') as [string, string];
    const low = lo === '*' ? -Infinity : parseBound(lo, isDate, false);
    const high = hi === '*' ? Infinity : parseBound(hi, isDate, true);
    return (x) => x >= low && x <= high;
  }
  const low = parseBound(value, isDate, false);
  const high = isDate ? parseBound(value, isDate, true) : low;
  return (x) => x >= low && x <= high;
}

export function parseSearch(q: string): ParsedSearch {
  const parsed: ParsedSearch = {
    terms: [],
    predicates: [],
    forkMode: 'exclude',
    sort: { field: 'best', order: 'desc' },
  };
  const tokens = q.match(/"[^"]*"|\S+/g) ?? [];
  for (const token of tokens) {
    const qual = /^([a-z_]+):(.+)$/.exec(token);
    if (!qual) {
      parsed.terms.push(token.replace(/"/g, '').toLowerCase());
      continue;
    }
    const key = qual[1]!;
    const value = qual[2]!;
    switch (key) {
      case 'language': {
        const lang = value.toLowerCase();
        parsed.predicates.push((r) => (r.language ?? '').toLowerCase() === lang);
        break;
      }
      case 'created': {
        const p = rangePredicate(value, true);
        parsed.predicates.push((r) => p(r.createdAt));
        break;
      }
      case 'pushed': {
        const p = rangePredicate(value, true);
        parsed.predicates.push((r) => p(r.pushedAt));
        break;
      }
      case 'stars': {
        const p = rangePredicate(value, false);
        parsed.predicates.push((r) => p(r.stars));
        break;
      }
      case 'fork':
        if (value === 'true') parsed.forkMode = 'include';
        else if (value === 'only') parsed.forkMode = 'only';
        else if (value === 'false') parsed.forkMode = 'exclude';
        else throw new SearchSyntaxError(`invalid fork qualifier "${value}"`);
        break;
      case 'archived': {
        const want = value === 'true';
        parsed.predicates.push((r) => r.isArchived === want);
        break;
      }
      case 'sort': {
        const [field, order] = value.split('-') as [string, string | undefined];
        if (!['stars', 'created', 'updated'].includes(field))
          throw new SearchSyntaxError(`invalid sort "${value}"`);
        parsed.sort = {
          field: field as ParsedSearch['sort']['field'],
          order: order === 'asc' ? 'asc' : 'desc',
        };
        break;
      }
      default:
        // Unknown qualifiers are treated as plain text by GitHub.
        parsed.terms.push(token.toLowerCase());
    }
  }
  return parsed;
}

/** Search over a population with a per-term and per-query cache (the population is immutable between `invalidate()` calls). */
export class SearchEngine {
  private termCache = new Map<string, FakeRepo[]>();
  private queryCache = new Map<string, FakeRepo[]>();

  constructor(private repos: FakeRepo[]) {}

  replacePopulation(repos: FakeRepo[]): void {
    this.repos = repos;
    this.termCache.clear();
    this.queryCache.clear();
  }

  get population(): readonly FakeRepo[] {
    return this.repos;
  }

  search(q: string): FakeRepo[] {
    const cached = this.queryCache.get(q);
    if (cached) return cached;
    const parsed = parseSearch(q);
    let candidates: FakeRepo[] = this.repos;
    for (const term of parsed.terms) {
      const matching = this.termMatches(term);
      candidates = candidates === this.repos ? matching : intersect(candidates, matching);
    }
    const result = candidates.filter((r) => {
      if (parsed.forkMode === 'exclude' && r.isFork) return false;
      if (parsed.forkMode === 'only' && !r.isFork) return false;
      return parsed.predicates.every((p) => p(r));
    });
    const { field, order } = parsed.sort;
    const sign = order === 'asc' ? 1 : -1;
    const key = (r: FakeRepo) =>
      field === 'created' ? r.createdAt : field === 'updated' ? r.pushedAt : r.stars;
    result.sort((a, b) => sign * (key(a) - key(b)) || a.databaseId - b.databaseId);
    if (this.queryCache.size > 5000) this.queryCache.clear();
    this.queryCache.set(q, result);
    return result;
  }

  private termMatches(term: string): FakeRepo[] {
    let hit = this.termCache.get(term);
    if (!hit) {
      hit = this.repos.filter((r) => r.searchText.includes(term));
      this.termCache.set(term, hit);
    }
    return hit;
  }
}

function intersect(a: FakeRepo[], b: FakeRepo[]): FakeRepo[] {
  const set = new Set(b);
  return a.filter((r) => set.has(r));
}
