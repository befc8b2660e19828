import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { Logger } from '../../core/logger.js';
import { PIPELINE_VERSION } from '../../core/version.js';
import type { ApiStats, CallKind } from './api-stats.js';
import { EVIDENCE_FIELDS } from './dependency-evidence.js';
import { type DiscoveredRepo, narrowRepository, REPOSITORY_FIELDS } from './repository.js';

/**
 * The GitHub adapter of discovery, and the only place an Octokit is built. Policy attached
 * once: the throttling plugin (primary and secondary rate limits: `retry-after`, else
 * `x-ratelimit-reset`, else 60 s growing exponentially) and the retry plugin (5xx, resets).
 * One client = one token = one serial stream: search and GraphQL calls of a token share one
 * limiter that spaces them by `minIntervalMs`.
 */
export interface SearchCount {
  totalCount: number;
  incomplete: boolean;
}

export interface SearchPage {
  repositoryCount: number;
  repos: DiscoveredRepo[];
  /** Nodes that could not be narrowed (reason per node). */
  malformed: string[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface GitHubSearchClient {
  /** `token-1`, `token-2`, …: how logs and stats name the token. */
  readonly label: string;
  countRepositories(query: string): Promise<SearchCount>;
  searchRepositories(query: string, after: string | null): Promise<SearchPage>;
}

export interface GitHubClientOptions {
  token: string;
  label: string;
  baseUrl: string;
  logger: Logger;
  stats: ApiStats;
  /** Minimum spacing of this token's search/GraphQL calls (GitHub: 30 searches/min → 2000). */
  minIntervalMs?: number;
  /** Milliseconds per second of any wait the plugins compute (1000 = real time; tests use less). */
  waitScaleMs?: number;
  /** Retries of a 5xx/network failure (retry plugin), and of a rate-limited call (throttling). */
  maxRetries?: number;
  maxRateLimitRetries?: number;
  requestTimeoutMs?: number;
  /** Ask each search page for the dependency files' text (framework evidence before any clone). */
  evidence?: boolean;
}

/** GitHub's documented fallback when a secondary limit comes without `retry-after`. */
export const SECONDARY_FALLBACK_SECONDS = 60;
const SECONDARY_BACKOFF_CAP_SECONDS = 15 * 60;
export const PAGE_SIZE = 100;

/** The search page query; with `evidence`, each node also brings its dependency files' text. */
export function searchQuery(evidence: boolean): string {
  return /* GraphQL */ `
  query DiscoverRepositories($q: String!, $first: Int!, $after: String) {
    rateLimit { cost }
    search(query: $q, type: REPOSITORY, first: $first, after: $after) {
      repositoryCount
      pageInfo { hasNextPage endCursor }
      nodes { ... on Repository { ${REPOSITORY_FIELDS}${evidence ? EVIDENCE_FIELDS : ''} } }
    }
  }
`;
}

interface SearchResponse {
  rateLimit?: { cost?: unknown } | null;
  search: {
    repositoryCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: unknown[] | null;
  };
}

const DiscoveryOctokit = Octokit.plugin(retry, throttling);

export function createGitHubClient(options: GitHubClientOptions): GitHubSearchClient {
  const { label, stats } = options;
  const waitScaleMs = options.waitScaleMs ?? 1000;
  const maxRetries = options.maxRetries ?? 5;
  const maxRateLimitRetries = options.maxRateLimitRetries ?? 10;
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const log = options.logger.child({ token: label });
  const pageQuery = searchQuery(options.evidence === true);
  let attemptsOfCall = 0;

  // Shared by the plugin's `search` (REST search) and `write` (all GraphQL) groups, keyed by
  // this token's id: one serial, spaced stream per token.
  const streamLimiter = new Bottleneck.Group({ maxConcurrent: 1, minTime: options.minIntervalMs ?? 2000 });

  const countingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    attemptsOfCall++;
    try {
      const signal = init?.signal ?? AbortSignal.timeout(requestTimeoutMs);
      const response = await fetch(input, { ...init, signal });
      stats.recordAttempt(label, response.status, response.headers);
      return response;
    } catch (err) {
      stats.recordAttempt(label, 'network');
      throw err;
    }
  };

  const octokit = new DiscoveryOctokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: `stratum-pipeline/${PIPELINE_VERSION}`,
    log: {
      debug: (message: string) => log.debug({ source: 'octokit' }, message),
      info: (message: string) => log.debug({ source: 'octokit' }, message),
      warn: (message: string) => log.warn({ source: 'octokit' }, message),
      error: (message: string) => log.error({ source: 'octokit' }, message),
    },
    request: { fetch: countingFetch },
    retry: {
      retries: maxRetries,
      retryAfterBaseValue: waitScaleMs,
      // Rate limits (403/429) belong to the throttling plugin alone.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      id: label,
      search: streamLimiter,
      write: streamLimiter,
      retryAfterBaseValue: waitScaleMs,
      fallbackSecondaryRateRetryAfter: SECONDARY_FALLBACK_SECONDS,
      onRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _o: unknown,
        retryCount: number,
      ) => {
        const retrying = retryCount < maxRateLimitRetries;
        if (retrying) stats.recordSleep('primary', retryAfter * waitScaleMs);
        log.warn(
          { kind: 'primary', retryAfterSeconds: retryAfter, retryCount, retrying, route: routeOf(request) },
          'rate limit reached: waiting for x-ratelimit-reset',
        );
        return retrying;
      },
      onSecondaryRateLimit: async (
        retryAfter: number,
        request: { method: string; url: string },
        _o: unknown,
        retryCount: number,
      ) => {
        const retrying = retryCount < maxRateLimitRetries;
        // Without retry-after GitHub asks for at least a minute and exponential backoff; the
        // plugin waits the fallback minute, and this handler adds the exponential part.
        const withoutHeader = retryAfter === SECONDARY_FALLBACK_SECONDS;
        const extraSeconds = withoutHeader
          ? Math.min(SECONDARY_BACKOFF_CAP_SECONDS, SECONDARY_FALLBACK_SECONDS * (2 ** retryCount - 1))
          : 0;
        if (retrying) {
          stats.recordSleep('secondary', (retryAfter + extraSeconds) * waitScaleMs);
          if (extraSeconds > 0) await new Promise((r) => setTimeout(r, extraSeconds * waitScaleMs));
        }
        log.warn(
          {
            kind: 'secondary',
            retryAfterSeconds: retryAfter + extraSeconds,
            retryCount,
            retrying,
            route: routeOf(request),
          },
          'secondary rate limit: backing off',
        );
        return retrying;
      },
    },
  });

  async function call<T>(kind: CallKind, run: () => Promise<T>): Promise<T> {
    attemptsOfCall = 0;
    try {
      return await run();
    } finally {
      stats.recordCall(kind, attemptsOfCall);
    }
  }

  return {
    label,
    countRepositories(query: string) {
      return call('probe', async () => {
        const { data } = await octokit.rest.search.repos({ q: query, per_page: 1 });
        return { totalCount: data.total_count, incomplete: data.incomplete_results };
      });
    },
    searchRepositories(query: string, after: string | null) {
      return call('page', async () => {
        const data = await octokit.graphql<SearchResponse>(pageQuery, {
          q: query,
          first: PAGE_SIZE,
          after,
        });
        const cost = data.rateLimit?.cost;
        if (Number.isInteger(cost)) stats.recordCost(cost as number);
        const repos: DiscoveredRepo[] = [];
        const malformed: string[] = [];
        for (const node of data.search.nodes ?? []) {
          const narrowed = narrowRepository(node);
          if (narrowed.ok) repos.push(narrowed.repo);
          else malformed.push(narrowed.reason);
        }
        return {
          repositoryCount: data.search.repositoryCount,
          repos,
          malformed,
          endCursor: data.search.pageInfo.endCursor,
          hasNextPage: data.search.pageInfo.hasNextPage,
        };
      });
    },
  };
}

function routeOf(request: { method: string; url: string }): string {
  return `${request.method} ${request.url.split('?')[0]}`;
}
