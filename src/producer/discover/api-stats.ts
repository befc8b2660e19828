/**
 * What discovery spent on the GitHub API: HTTP attempts, logical calls by kind, real
 * rate-limit sleeps, retries, errors by status and the budget each token has left. Token
 * values never appear here; tokens are known by their label (`token-1`, …).
 */
export type CallKind = 'probe' | 'page';

export interface TokenBudget {
  resource: string;
  limit: number;
  remaining: number;
  resetAt: string;
}

export interface TokenUsage {
  requests: number;
  budget: Record<string, TokenBudget>;
}

export interface ApiStatsSnapshot {
  /** HTTP requests sent (every attempt, retries included). */
  requests: number;
  /** Logical calls by kind (a call retried three times counts once here). */
  calls: Record<CallKind, number>;
  retries: number;
  rate_limit_sleeps: { primary: number; secondary: number; total_wait_ms: number };
  /** Responses and failures other than 2xx, by status (`network` for resets/timeouts). */
  errors: Record<string, number>;
  tokens: Record<string, TokenUsage>;
  /** GraphQL rate-limit points the search pages cost (`rateLimit { cost }`, summed). */
  graphql_points?: number;
}

export class ApiStats {
  requests = 0;
  calls: Record<CallKind, number> = { probe: 0, page: 0 };
  private completedCalls = 0;
  private attemptsOfCompletedCalls = 0;
  primarySleeps = 0;
  secondarySleeps = 0;
  waitMs = 0;
  errors: Record<string, number> = {};
  tokens: Record<string, TokenUsage> = {};
  graphqlPoints = 0;

  /** Seeds the counters of a resumed run with what the interrupted one spent. */
  static from(snapshot: ApiStatsSnapshot | undefined): ApiStats {
    const stats = new ApiStats();
    if (!snapshot) return stats;
    stats.requests = snapshot.requests;
    stats.calls = { ...snapshot.calls };
    stats.completedCalls = snapshot.calls.probe + snapshot.calls.page;
    stats.attemptsOfCompletedCalls = stats.completedCalls + snapshot.retries;
    stats.primarySleeps = snapshot.rate_limit_sleeps.primary;
    stats.secondarySleeps = snapshot.rate_limit_sleeps.secondary;
    stats.waitMs = snapshot.rate_limit_sleeps.total_wait_ms;
    stats.errors = { ...snapshot.errors };
    stats.tokens = structuredClone(snapshot.tokens);
    stats.graphqlPoints = snapshot.graphql_points ?? 0;
    return stats;
  }

  recordAttempt(token: string, status: number | 'network', headers?: Headers): void {
    this.requests++;
    const usage = this.tokens[token] ?? { requests: 0, budget: {} };
    this.tokens[token] = usage;
    usage.requests++;
    if (status === 'network' || status >= 300)
      this.errors[String(status)] = (this.errors[String(status)] ?? 0) + 1;
    const resource = headers?.get('x-ratelimit-resource');
    const remaining = headers?.get('x-ratelimit-remaining');
    if (resource && remaining !== null && remaining !== undefined) {
      usage.budget[resource] = {
        resource,
        limit: Number(headers?.get('x-ratelimit-limit') ?? 0),
        remaining: Number(remaining),
        resetAt: new Date(Number(headers?.get('x-ratelimit-reset') ?? 0) * 1000).toISOString(),
      };
    }
  }

  recordCall(kind: CallKind, attempts: number): void {
    this.calls[kind]++;
    this.completedCalls++;
    this.attemptsOfCompletedCalls += attempts;
  }

  recordCost(points: number): void {
    this.graphqlPoints += points;
  }

  recordSleep(kind: 'primary' | 'secondary', ms: number): void {
    if (kind === 'primary') this.primarySleeps++;
    else this.secondarySleeps++;
    this.waitMs += ms;
  }

  snapshot(): ApiStatsSnapshot {
    return {
      requests: this.requests,
      calls: { ...this.calls },
      retries: this.attemptsOfCompletedCalls - this.completedCalls,
      rate_limit_sleeps: {
        primary: this.primarySleeps,
        secondary: this.secondarySleeps,
        total_wait_ms: this.waitMs,
      },
      errors: { ...this.errors },
      tokens: structuredClone(this.tokens),
      graphql_points: this.graphqlPoints,
    };
  }
}
