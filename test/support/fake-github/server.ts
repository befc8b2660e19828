import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DocumentNode, type ExecutionResult, execute, GraphQLError, parse, validate } from 'graphql';
import { fakeGitHubSchema } from './graphql-schema.js';
import { type FakeRepo, generatePopulation, mulberry32, type PopulationOptions, sha1 } from './population.js';
import { queryCost } from './query-cost.js';
import { SearchEngine, SearchSyntaxError } from './search-engine.js';

/**
 * A fake GitHub API on loopback with the real API's shapes and limits, for discovery tests,
 * the benchmark and end-to-end tests:
 *  - REST `GET /search/repositories` (q, per_page ≤ 100, page, sort/order, `total_count`,
 *    `incomplete_results`, `Link` headers pointing at itself, 422 past the 1,000th result),
 *    `GET /repos/{owner}/{repo}`, `GET /rate_limit`;
 *  - GraphQL `POST /graphql` validated against a subset of GitHub's schema (`search`,
 *    `nodes`, `repository`, `rateLimit`), the same 1,000-result cap on `search`;
 *  - x-ratelimit-* headers per token and resource; primary and secondary rate-limit
 *    responses, 502s, connection resets and incomplete results injected on demand.
 */
export interface FaultOptions {
  /** Every Nth request of a token gets a primary rate-limit response (0 = never). */
  rateLimitEvery: number;
  /** Probability of a secondary rate-limit response (403 or 429, alternating). */
  secondaryRateLimitRate: number;
  /** Share of secondary rate-limit responses sent without `retry-after`. */
  secondaryWithoutRetryAfterShare: number;
  error502Rate: number;
  connectionResetRate: number;
  /** Probability that a search response is incomplete (fewer items, `incomplete_results`). */
  incompleteRate: number;
  /**
   * Repositories (full names) the next GraphQL search page holding them leaves out, once each:
   * a targeted incomplete page (a search that timed out), for tests that need a given one.
   */
  incompleteOnce: string[];
  /** Reported counts move by up to ± this fraction between calls (0.05 = ±5%). */
  countJitter: number;
  /** `retry-after` seconds sent with secondary limits; seconds until `x-ratelimit-reset`. */
  retryAfterSeconds: number;
  latencyMs: number;
}

export interface FakeGitHubOptions {
  population?: FakeRepo[] | PopulationOptions;
  /** Accepted tokens; requests with another token get 401. Empty = any token. */
  tokens?: string[];
  faults?: Partial<FaultOptions>;
  faultSeed?: number;
  port?: number;
  /** The `url`/`clone_url` of a repository (default https://github.com/owner/name): end-to-end runs point it at a loopback git server. */
  repoUrl?: (r: FakeRepo) => string;
}

export interface FakeGitHubStats {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  byToken: Record<string, number>;
  faults: Record<string, number>;
  /** Highest number of simultaneous requests seen for one token. */
  maxInFlightPerToken: number;
  /** Every Authorization scheme seen (never the token itself). */
  unauthenticated: number;
  /** GraphQL rate-limit points charged (GitHub's formula, see query-cost.ts). */
  graphqlPoints: number;
  /** Bytes of GraphQL response bodies sent. */
  graphqlBytes: number;
}

export interface FakeGitHub {
  url: string;
  stats: FakeGitHubStats;
  faults: FaultOptions;
  engine: SearchEngine;
  population: readonly FakeRepo[];
  /** Repositories a query matches, ignoring the 1,000 cap (the ground truth for recall). */
  matching(q: string): FakeRepo[];
  resetStats(): void;
  replacePopulation(repos: FakeRepo[]): void;
  stop(): Promise<void>;
}

const NO_FAULTS: FaultOptions = {
  rateLimitEvery: 0,
  secondaryRateLimitRate: 0,
  secondaryWithoutRetryAfterShare: 0,
  error502Rate: 0,
  connectionResetRate: 0,
  incompleteRate: 0,
  incompleteOnce: [],
  countJitter: 0,
  retryAfterSeconds: 1,
  latencyMs: 0,
};

const SEARCH_CAP = 1000;
const LIMITS = { search: 30, graphql: 5000, core: 5000 } as const;
type Resource = keyof typeof LIMITS;

function emptyStats(): FakeGitHubStats {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    byToken: {},
    faults: {},
    maxInFlightPerToken: 0,
    unauthenticated: 0,
    graphqlPoints: 0,
    graphqlBytes: 0,
  };
}

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const population = Array.isArray(options.population)
    ? options.population
    : generatePopulation(options.population ?? { size: 2000 });
  const engine = new SearchEngine(population);
  let byName = new Map(population.map((r) => [r.fullName.toLowerCase(), r]));
  let byNodeId = new Map(population.map((r) => [r.nodeId, r]));
  const faults: FaultOptions = { ...NO_FAULTS, ...options.faults };
  const rand = mulberry32(options.faultSeed ?? 7);
  const accepted = new Set(options.tokens ?? []);
  const tokenIds = new Map<string, string>();
  const inFlight = new Map<string, number>();
  const requestsPerToken = new Map<string, number>();
  const used = new Map<string, { windowStart: number; used: number }>();
  let secondaryToggle = 0;
  const responseCache = new Map<string, string>();
  let stats = emptyStats();
  let baseUrl = '';

  /** Tokens are never stored in stats: each gets an opaque label. */
  function tokenLabel(token: string): string {
    let id = tokenIds.get(token);
    if (!id) {
      id = `token-${tokenIds.size + 1}`;
      tokenIds.set(token, id);
    }
    return id;
  }

  function rateHeaders(label: string, resource: Resource): Record<string, string> {
    const key = `${label}:${resource}`;
    const now = Date.now();
    let window = used.get(key);
    const windowMs = resource === 'search' ? 60_000 : 3_600_000;
    if (!window || now - window.windowStart >= windowMs) {
      window = { windowStart: now, used: 0 };
      used.set(key, window);
    }
    window.used++;
    const limit = LIMITS[resource];
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.used)),
      'x-ratelimit-reset': String(Math.ceil((window.windowStart + windowMs) / 1000)),
      'x-ratelimit-used': String(window.used),
      'x-ratelimit-resource': resource,
    };
  }

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    bump(stats.byStatus, String(status));
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8',
      'x-github-request-id': randomUUID(),
      'x-github-media-type': 'github.v3; format=json',
      ...headers,
    });
    res.end(text);
  }

  /** Returns true when a fault was injected (the response is already sent). */
  function injectFault(res: ServerResponse, label: string, resource: Resource, isGraphQL: boolean): boolean {
    const n = (requestsPerToken.get(label) ?? 0) + 1;
    requestsPerToken.set(label, n);
    if (faults.connectionResetRate > 0 && rand() < faults.connectionResetRate) {
      bump(stats.faults, 'connection_reset');
      res.socket?.destroy();
      return true;
    }
    if (faults.error502Rate > 0 && rand() < faults.error502Rate) {
      bump(stats.faults, '502');
      send(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>');
      return true;
    }
    if (faults.rateLimitEvery > 0 && n % faults.rateLimitEvery === 0) {
      bump(stats.faults, 'primary_rate_limit');
      const headers = {
        'x-ratelimit-limit': String(LIMITS[resource]),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + faults.retryAfterSeconds),
        'x-ratelimit-used': String(LIMITS[resource]),
        'x-ratelimit-resource': resource,
      };
      if (isGraphQL) {
        send(
          res,
          200,
          { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit already exceeded for user ID 1.' }] },
          headers,
        );
      } else {
        send(
          res,
          403,
          {
            message: 'API rate limit exceeded for user ID 1.',
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
          },
          headers,
        );
      }
      return true;
    }
    if (faults.secondaryRateLimitRate > 0 && rand() < faults.secondaryRateLimitRate) {
      bump(stats.faults, 'secondary_rate_limit');
      const withoutRetryAfter = rand() < faults.secondaryWithoutRetryAfterShare;
      const headers: Record<string, string> = withoutRetryAfter
        ? {}
        : { 'retry-after': String(faults.retryAfterSeconds) };
      if (withoutRetryAfter) bump(stats.faults, 'secondary_without_retry_after');
      send(
        res,
        secondaryToggle++ % 2 === 0 ? 403 : 429,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
            'If you reach out to GitHub Support for help, please include the request ID ABCD:1234.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        headers,
      );
      return true;
    }
    return false;
  }

  function jitter(count: number): number {
    if (faults.countJitter <= 0) return count;
    return Math.max(0, count + Math.round((rand() * 2 - 1) * faults.countJitter * count));
  }

  function restRepo(r: FakeRepo): Record<string, unknown> {
    const parent = r.parent ? byName.get(r.parent.toLowerCase()) : undefined;
    return {
      id: r.databaseId,
      node_id: r.nodeId,
      name: r.name,
      full_name: r.fullName,
      private: false,
      owner: {
        login: r.owner,
        id: r.databaseId * 10,
        type: r.ownerType,
        html_url: `https://github.com/${r.owner}`,
      },
      html_url: `https://github.com/${r.fullName}`,
      description: r.description,
      fork: r.isFork,
      url: `${baseUrl}/repos/${r.fullName}`,
      created_at: iso(r.createdAt),
      updated_at: iso(r.pushedAt),
      pushed_at: iso(r.pushedAt),
      clone_url: options.repoUrl ? options.repoUrl(r) : `https://github.com/${r.fullName}.git`,
      mirror_url: r.isMirror ? `https://git.example.org/${r.fullName}.git` : null,
      size: r.diskUsageKb,
      stargazers_count: r.stars,
      watchers_count: r.stars,
      language: r.language,
      forks_count: r.forks,
      archived: r.isArchived,
      disabled: false,
      open_issues_count: 0,
      license: r.license ? { key: r.license.toLowerCase(), spdx_id: r.license, name: r.license } : null,
      topics: r.topics,
      visibility: 'public',
      default_branch: r.defaultBranch ?? 'main',
      score: 1,
      ...(parent ? { parent: { full_name: parent.fullName, id: parent.databaseId } } : {}),
    };
  }

  function handleSearchRest(res: ServerResponse, url: URL, label: string): void {
    const q = url.searchParams.get('q');
    if (!q) {
      send(res, 422, {
        message: 'Validation Failed',
        errors: [{ resource: 'Search', field: 'q', code: 'missing' }],
        documentation_url: 'https://docs.github.com/v3/search',
      });
      return;
    }
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    if ((page - 1) * perPage >= SEARCH_CAP) {
      send(res, 422, {
        message: 'Only the first 1000 search results are available',
        documentation_url: 'https://docs.github.com/v3/search/',
      });
      return;
    }
    const sortParam = url.searchParams.get('sort');
    const order = url.searchParams.get('order') === 'asc' ? 'asc' : 'desc';
    let matches: FakeRepo[];
    try {
      matches = engine.search(
        sortParam ? `${q} sort:${sortParam === 'updated' ? 'updated' : sortParam}-${order}` : q,
      );
    } catch (err) {
      if (err instanceof SearchSyntaxError) {
        send(res, 422, { message: 'Validation Failed', errors: [{ message: err.message, code: 'invalid' }] });
        return;
      }
      throw err;
    }
    let items = matches.slice((page - 1) * perPage, page * perPage);
    let total = jitter(matches.length);
    let incomplete = false;
    if (faults.incompleteRate > 0 && rand() < faults.incompleteRate) {
      bump(stats.faults, 'incomplete_results');
      incomplete = true;
      items = items.slice(0, Math.floor(items.length / 2));
      total = Math.floor(total * (0.5 + rand() * 0.4));
    }
    const lastPage = Math.max(1, Math.ceil(Math.min(total, SEARCH_CAP) / perPage));
    const link = (p: number) => {
      const u = new URL(url.toString(), baseUrl);
      u.protocol = 'http:';
      u.host = new URL(baseUrl).host;
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    if (page < lastPage) links.push(`<${link(page + 1)}>; rel="next"`);
    if (page < lastPage) links.push(`<${link(lastPage)}>; rel="last"`);
    if (page > 1) links.push(`<${link(1)}>; rel="first"`);
    send(
      res,
      200,
      { total_count: total, incomplete_results: incomplete, items: items.map(restRepo) },
      { ...rateHeaders(label, 'search'), ...(links.length ? { link: links.join(', ') } : {}) },
    );
  }

  function gqlRepo(r: FakeRepo): Record<string, unknown> {
    return {
      __typename: 'Repository',
      id: r.nodeId,
      databaseId: r.databaseId,
      name: r.name,
      nameWithOwner: r.fullName,
      description: r.description,
      url: options.repoUrl ? options.repoUrl(r) : `https://github.com/${r.fullName}`,
      owner: {
        __typename: r.ownerType,
        id: `O_${r.owner}`,
        login: r.owner,
        url: `https://github.com/${r.owner}`,
      },
      stargazerCount: r.stars,
      forkCount: r.forks,
      diskUsage: r.diskUsageKb,
      createdAt: iso(r.createdAt),
      pushedAt: iso(r.pushedAt),
      updatedAt: iso(r.pushedAt),
      isFork: r.isFork,
      isArchived: r.isArchived,
      isMirror: r.isMirror,
      isPrivate: false,
      isEmpty: r.defaultBranch === null,
      mirrorUrl: r.isMirror ? `https://git.example.org/${r.fullName}.git` : null,
      parent: () => {
        if (!r.parent) return null;
        const inside = byName.get(r.parent.toLowerCase());
        if (inside) return gqlRepo(inside);
        const [owner, name] = r.parent.split('/') as [string, string];
        return gqlRepo({
          ...r,
          nodeId: `R_${r.parent}`,
          owner,
          name,
          fullName: r.parent,
          isFork: false,
          parent: null,
        });
      },
      licenseInfo: r.license
        ? {
            spdxId: r.license === 'NOASSERTION' ? 'NOASSERTION' : r.license,
            key: r.license.toLowerCase(),
            name: r.license,
          }
        : null,
      primaryLanguage: r.language ? { name: r.language } : null,
      languages: (args: { first?: number }) => {
        const first = checkFirst(args.first, 'languages');
        const edges = [...r.languageBytes].sort((a, b) => b[1] - a[1]);
        return {
          totalCount: edges.length,
          totalSize: edges.reduce((s, [, n]) => s + n, 0),
          edges: edges
            .slice(0, first)
            .map(([name, size], i) => ({ size, node: { name }, cursor: String(i) })),
          nodes: edges.slice(0, first).map(([name]) => ({ name })),
        };
      },
      repositoryTopics: (args: { first?: number }) => {
        const first = checkFirst(args.first, 'repositoryTopics');
        return {
          totalCount: r.topics.length,
          nodes: r.topics.slice(0, first).map((name) => ({ topic: { name } })),
        };
      },
      object: (args: { expression?: string }) => {
        const m = /^(?:HEAD|[\w.-]+):(.+)$/.exec(args.expression ?? '');
        const text = m && r.defaultBranch ? r.files?.[m[1]!] : undefined;
        if (text === undefined) return null;
        return {
          __typename: 'Blob',
          oid: sha1(`${r.fullName}:${m![1]}:${text}`),
          abbreviatedOid: sha1(`${r.fullName}:${m![1]}:${text}`).slice(0, 7),
          byteSize: Buffer.byteLength(text),
          isBinary: false,
          isTruncated: false,
          text,
        };
      },
      defaultBranchRef: r.defaultBranch
        ? {
            name: r.defaultBranch,
            prefix: 'refs/heads/',
            target: { __typename: 'Commit', oid: r.headSha, committedDate: iso(r.pushedAt) },
          }
        : null,
    };
  }

  function checkFirst(first: number | undefined, field: string): number {
    if (first === undefined || first === null)
      throw new GraphQLError(
        `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`,
      );
    if (first < 1 || first > 100)
      throw new GraphQLError(
        `Requesting ${first} records on the \`${field}\` connection exceeds the \`first\` limit of 100 records.`,
      );
    return first;
  }

  const cursorOf = (i: number) => Buffer.from(`cursor:${i}`).toString('base64');
  function offsetOf(cursor: string | undefined | null): number {
    if (!cursor) return 0;
    const m = /^cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString());
    if (!m) throw new GraphQLError('`after` cursor is invalid');
    return Number(m[1]);
  }

  const rootValue = {
    search: (args: { query: string; type: string; first?: number; after?: string }) => {
      const first = checkFirst(args.first, 'search');
      if (args.type !== 'REPOSITORY') {
        return {
          repositoryCount: 0,
          userCount: 0,
          issueCount: 0,
          codeCount: 0,
          discussionCount: 0,
          wikiCount: 0,
          pageInfo: { hasNextPage: false, hasPreviousPage: false },
          nodes: [],
          edges: [],
        };
      }
      let matches: FakeRepo[];
      try {
        matches = engine.search(args.query);
      } catch (err) {
        throw new GraphQLError((err as Error).message);
      }
      const start = offsetOf(args.after);
      const end = Math.min(start + first, matches.length, SEARCH_CAP);
      let window = matches.slice(start, Math.max(start, end));
      if (faults.incompleteRate > 0 && rand() < faults.incompleteRate) {
        // A search that timed out: part of the page is missing, the cursor still moves on.
        bump(stats.faults, 'incomplete_results');
        window = window.filter(() => rand() < 0.5);
      }
      if (faults.incompleteOnce.length > 0) {
        const left = new Set(faults.incompleteOnce.map((name) => name.toLowerCase()));
        const kept = window.filter((r) => !left.delete(r.fullName.toLowerCase()));
        if (kept.length < window.length) bump(stats.faults, 'incomplete_results');
        faults.incompleteOnce = faults.incompleteOnce.filter((name) => left.has(name.toLowerCase()));
        window = kept;
      }
      const nodes = window.map(gqlRepo);
      return {
        repositoryCount: jitter(matches.length),
        userCount: 0,
        issueCount: 0,
        codeCount: 0,
        discussionCount: 0,
        wikiCount: 0,
        pageInfo: {
          hasNextPage: end < Math.min(matches.length, SEARCH_CAP),
          hasPreviousPage: start > 0,
          startCursor: window.length ? cursorOf(start + 1) : null,
          endCursor: end > start ? cursorOf(end) : null,
        },
        nodes,
        edges: nodes.map((node, i) => ({ cursor: cursorOf(start + i + 1), node })),
      };
    },
    rateLimit: (_args: unknown, context: { cost: number }) => ({
      cost: context.cost,
      limit: 5000,
      nodeCount: 100,
      remaining: 5000 - context.cost,
      resetAt: iso(Date.now() + 3_600_000),
      used: context.cost,
    }),
    nodes: (args: { ids: string[] }) => {
      if (args.ids.length > 100) throw new GraphQLError('You may not ask for more than 100 nodes at once.');
      return args.ids.map((id) => {
        const r = byNodeId.get(id);
        return r ? gqlRepo(r) : null;
      });
    },
    node: (args: { id: string }) => {
      const r = byNodeId.get(args.id);
      return r ? gqlRepo(r) : null;
    },
    repository: (args: { owner: string; name: string }) => {
      const r = byName.get(`${args.owner}/${args.name}`.toLowerCase());
      return r ? gqlRepo(r) : null;
    },
  };

  async function handleGraphql(req: IncomingMessage, res: ServerResponse, label: string): Promise<void> {
    const body = await readBody(req);
    let payload: { query?: string; variables?: Record<string, unknown> };
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      send(res, 400, { message: 'Problems parsing JSON' });
      return;
    }
    if (!payload.query) {
      send(res, 200, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] });
      return;
    }
    // Without randomised faults an answer depends only on the request: serve repeats from a
    // small cache (the suites replay the same pages many times on a shared 2-core machine).
    const cacheable =
      faults.incompleteRate === 0 && faults.incompleteOnce.length === 0 && faults.countJitter === 0;
    const cacheKey = `${payload.query}\0${JSON.stringify(payload.variables ?? {})}`;
    let text = cacheable ? responseCache.get(cacheKey) : undefined;
    if (text === undefined) {
      const result = await executeCached(payload.query, payload.variables ?? {}, rootValue, (cost) => {
        stats.graphqlPoints += cost;
      });
      const errors = result.errors?.map((e) => ({
        message: e.message,
        locations: e.locations,
        path: e.path,
      }));
      text = JSON.stringify({ ...(result.data ? { data: result.data } : {}), ...(errors ? { errors } : {}) });
      if (cacheable) {
        if (responseCache.size >= 2000) responseCache.clear();
        responseCache.set(cacheKey, text);
      }
    }
    stats.graphqlBytes += Buffer.byteLength(text);
    send(res, 200, text, {
      ...rateHeaders(label, 'graphql'),
      'content-type': 'application/json; charset=utf-8',
    });
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { message: `fake server error: ${(err as Error).message}` });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl);
    const route = routeOf(req.method ?? 'GET', url.pathname);
    stats.requests++;
    bump(stats.byRoute, route);
    const auth = req.headers.authorization ?? '';
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(auth)?.[1];
    if (!token) stats.unauthenticated++;
    if ((!token && route === 'POST /graphql') || (token && accepted.size > 0 && !accepted.has(token))) {
      await readBody(req);
      send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    const label = token ? tokenLabel(token) : 'anonymous';
    bump(stats.byToken, label);
    const now = (inFlight.get(label) ?? 0) + 1;
    inFlight.set(label, now);
    stats.maxInFlightPerToken = Math.max(stats.maxInFlightPerToken, now);
    try {
      if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
      const resource: Resource =
        route === 'POST /graphql' ? 'graphql' : route.includes('/search/') ? 'search' : 'core';
      if (route === 'POST /graphql') {
        // Read the body before a fault answers, as GitHub does.
        await readBody(req);
        if (injectFault(res, label, resource, true)) return;
        await handleGraphql(req, res, label);
        return;
      }
      if (route === 'GET /search/repositories') {
        if (injectFault(res, label, resource, false)) return;
        handleSearchRest(res, url, label);
        return;
      }
      if (route === 'GET /rate_limit') {
        send(res, 200, {
          resources: Object.fromEntries(
            Object.entries(LIMITS).map(([k, limit]) => [
              k,
              { limit, remaining: limit, reset: Math.ceil(Date.now() / 1000) + 60, used: 0 },
            ]),
          ),
        });
        return;
      }
      const repoMatch = /^\/repos\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && repoMatch) {
        const r = byName.get(`${repoMatch[1]}/${repoMatch[2]}`.toLowerCase());
        if (r) send(res, 200, restRepo(r), rateHeaders(label, 'core'));
        else send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
        return;
      }
      send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
    } finally {
      inFlight.set(label, (inFlight.get(label) ?? 1) - 1);
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  const fake: FakeGitHub = {
    url: baseUrl,
    get stats() {
      return stats;
    },
    faults,
    engine,
    get population() {
      return engine.population;
    },
    matching(q: string) {
      return engine.search(q);
    },
    resetStats() {
      stats = emptyStats();
    },
    replacePopulation(repos: FakeRepo[]) {
      responseCache.clear();
      engine.replacePopulation(repos);
      byName = new Map(repos.map((r) => [r.fullName.toLowerCase(), r]));
      byNodeId = new Map(repos.map((r) => [r.nodeId, r]));
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return fake;
}

function routeOf(method: string, pathname: string): string {
  if (/^\/repos\/[^/]+\/[^/]+$/.test(pathname)) return `${method} /repos/{owner}/{repo}`;
  return `${method} ${pathname}`;
}

const bodies = new WeakMap<IncomingMessage, Promise<string>>();

function readBody(req: IncomingMessage): Promise<string> {
  let pending = bodies.get(req);
  if (!pending) {
    pending = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
    bodies.set(req, pending);
  }
  return pending;
}

const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();

/** graphql-js parse + validate once per query text (the tests send the same few queries). */
async function executeCached(
  source: string,
  variableValues: Record<string, unknown>,
  rootValue: unknown,
  charge: (cost: number) => void,
): Promise<ExecutionResult> {
  let document = documents.get(source);
  if (!document) {
    try {
      const parsed = parse(source);
      const errors = validate(fakeGitHubSchema(), parsed);
      document = errors.length ? errors : parsed;
    } catch (err) {
      document = [err as GraphQLError];
    }
    if (documents.size < 100) documents.set(source, document);
  }
  if (Array.isArray(document)) return { errors: document as readonly GraphQLError[] };
  const cost = queryCost(document as DocumentNode, variableValues);
  charge(cost);
  return execute({
    schema: fakeGitHubSchema(),
    document: document as DocumentNode,
    variableValues,
    rootValue,
    contextValue: { cost },
  });
}
