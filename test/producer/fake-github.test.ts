import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github/index.js';

// The fake must answer like GitHub does, since discovery and the end-to-end suites trust it.
const TOKEN = 'ghp_fakeSERVERtestTOKENxxxxxxxxxxxxxxxxxxx';
let fake: FakeGitHub;

beforeAll(async () => {
  fake = await startFakeGitHub({ population: { size: 3000, seed: 3 }, tokens: [TOKEN] });
});

afterAll(async () => {
  await fake.stop();
});

const auth = { authorization: `token ${TOKEN}` };

async function rest(query: string, headers: Record<string, string> = auth) {
  const res = await fetch(`${fake.url}/search/repositories?${query}`, { headers });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${fake.url}/graphql`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: Record<string, any>;
    errors?: Array<{ message: string; type?: string }>;
  };
}

describe('fake GitHub API', { timeout: 120_000 }, () => {
  it('REST search: total_count, per_page ≤ 100, Link headers to itself, 422 past the 1,000th result', async () => {
    const truth = fake.matching('agent fork:true');
    expect(truth.length).toBeGreaterThan(1000);
    const { res, body } = await rest('q=agent+fork:true&per_page=100&page=2');
    expect(res.status).toBe(200);
    expect(body.total_count).toBe(truth.length);
    expect(body.incomplete_results).toBe(false);
    expect((body.items as unknown[]).length).toBe(100);
    const link = res.headers.get('link')!;
    expect(link).toContain(`<${fake.url}/search/repositories?`);
    expect(link).toMatch(/page=3>; rel="next"/);
    expect(link).toMatch(/page=10>; rel="last"/);
    expect(link).toMatch(/page=1>; rel="prev"/);
    expect(res.headers.get('x-ratelimit-resource')).toBe('search');
    const capped = await rest('q=agent+fork:true&per_page=100&page=11');
    expect(capped.res.status).toBe(422);
    expect(capped.body.message).toBe('Only the first 1000 search results are available');
    const big = await rest('q=agent&per_page=500');
    expect((big.body.items as unknown[]).length).toBe(100);
  });

  it('qualifiers: forks hidden unless asked for, created/stars/language ranges', async () => {
    const all = fake.matching('agent fork:true');
    expect(fake.matching('agent').length).toBe(all.filter((r) => !r.isFork).length);
    expect(fake.matching('agent fork:only').every((r) => r.isFork)).toBe(true);
    const day = Date.parse('2026-01-01T00:00:00Z');
    const created = fake.matching('agent fork:true created:2026-01-01..2026-01-31');
    expect(created.every((r) => r.createdAt >= day && r.createdAt < day + 31 * 86_400_000)).toBe(true);
    expect(created.length).toBe(
      all.filter((r) => r.createdAt >= day && r.createdAt < day + 31 * 86_400_000).length,
    );
    expect(fake.matching('agent stars:>=50').every((r) => r.stars >= 50)).toBe(true);
    expect(fake.matching('agent language:python').every((r) => r.language === 'Python')).toBe(true);
  });

  it('GraphQL search: validated against the schema, first ≤ 100, cursors, capped at 1,000', async () => {
    const q = `query($q: String!, $after: String) { search(query: $q, type: REPOSITORY, first: 100, after: $after) {
      repositoryCount pageInfo { hasNextPage endCursor } nodes { ... on Repository { nameWithOwner isFork parent { nameWithOwner }
      languages(first: 5) { edges { size node { name } } } defaultBranchRef { name target { oid } } } } } }`;
    let after: string | null = null;
    const names = new Set<string>();
    for (let page = 0; page < 20; page++) {
      const res = await gql(q, { q: 'agent fork:true', after });
      const search = res.data!.search;
      expect(search.repositoryCount).toBe(fake.matching('agent fork:true').length);
      for (const node of search.nodes) names.add(node.nameWithOwner);
      if (!search.pageInfo.hasNextPage) break;
      after = search.pageInfo.endCursor;
    }
    expect(names.size).toBe(1000);
    const tooMany = await gql('{ search(query: "agent", type: REPOSITORY, first: 101) { repositoryCount } }');
    expect(tooMany.errors![0]!.message).toContain('exceeds the `first` limit of 100');
    const unknownField = await gql('{ search(query: "agent", type: REPOSITORY, first: 1) { bogus } }');
    expect(unknownField.errors![0]!.message).toContain('Cannot query field "bogus"');
  });

  it('answers bad credentials with 401, and injects rate limits and 502s on demand', async () => {
    const bad = await rest('q=agent', { authorization: 'token nope' });
    expect(bad.res.status).toBe(401);
    expect(bad.body.message).toBe('Bad credentials');
    Object.assign(fake.faults, { secondaryRateLimitRate: 1, retryAfterSeconds: 3 });
    const secondary = await rest('q=agent');
    expect([403, 429]).toContain(secondary.res.status);
    expect(secondary.res.headers.get('retry-after')).toBe('3');
    expect(String(secondary.body.message)).toMatch(/secondary rate limit/);
    Object.assign(fake.faults, { secondaryRateLimitRate: 0, rateLimitEvery: 1 });
    const primary = await rest('q=agent');
    expect(primary.res.status).toBe(403);
    expect(primary.res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(primary.res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    const graphqlLimited = await gql('{ rateLimit { remaining } }');
    expect(graphqlLimited.errors![0]!.type).toBe('RATE_LIMITED');
    Object.assign(fake.faults, { rateLimitEvery: 0, error502Rate: 1 });
    const res502 = await fetch(`${fake.url}/search/repositories?q=agent`, { headers: auth });
    expect(res502.status).toBe(502);
    Object.assign(fake.faults, { error502Rate: 0, retryAfterSeconds: 1 });
    expect(fake.stats.byRoute['GET /search/repositories']).toBeGreaterThan(3);
    expect(JSON.stringify(fake.stats)).not.toContain(TOKEN);
  });
});
