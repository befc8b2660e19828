import { Gauge, type Metric, Registry } from 'prom-client';
import { DURATION_BOUNDS_MS, RESULT_STATUSES } from '../core/run-counters.js';
import type { StatsSnapshot } from './stats.js';
import { QUEUE_COUNT_STATES } from './stats-source.js';

/**
 * Prometheus metrics for /metrics. Every scrape reads one snapshot (the same the stats page
 * shows), so the numbers are the run's, summed over all workers and machines — not this
 * process's. The scan-duration histogram is exported from the run counters' histogram as is.
 */
export type ScrapeSource = () => Promise<StatsSnapshot>;

/** A histogram whose buckets are already counted elsewhere (prom-client's Histogram only observes). */
class CountedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: ScrapeSource,
  ) {}

  async get() {
    const { durationHistogram: buckets, durationSumMs: sumMs } = await this.read();
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    let cumulative = 0;
    for (const bound of DURATION_BOUNDS_MS) {
      cumulative += buckets[String(bound)] ?? 0;
      values.push({ metricName: `${this.name}_bucket`, labels: { le: bound / 1000 }, value: cumulative });
    }
    cumulative += buckets['+Inf'] ?? 0;
    values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, value: cumulative });
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: sumMs / 1000 });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: cumulative });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export function createMetricsRegistry(source: ScrapeSource): Registry {
  const registry = new Registry();
  // One snapshot per scrape, shared by the gauges' collect callbacks.
  let current: Promise<StatsSnapshot> | undefined;
  const snap = () => {
    current ??= source().finally(() => {
      setImmediate(() => {
        current = undefined;
      });
    });
    return current;
  };

  new Gauge({
    name: 'stratum_queue_jobs',
    help: 'Jobs in the scan queue by state (absent when Redis is not reachable).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      const q = (await snap()).queue;
      if (!q) return;
      const byState: Record<(typeof QUEUE_COUNT_STATES)[number], number> = {
        waiting: q.waiting,
        active: q.active,
        delayed: q.delayed,
        prioritized: q.prioritized,
        'waiting-children': q.waitingChildren,
        failed: q.failed,
        completed: q.completed,
      };
      for (const s of QUEUE_COUNT_STATES) this.set({ state: s }, byState[s]);
    },
  });
  new Gauge({
    name: 'stratum_workers',
    help: 'Workers connected to the scan queue.',
    registers: [registry],
    async collect() {
      this.reset();
      const q = (await snap()).queue;
      if (q) this.set(q.workers);
    },
  });
  new Gauge({
    name: 'stratum_scan_results',
    help: 'Result rows written in this run, by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const s = await snap();
      for (const st of RESULT_STATUSES) this.set({ status: st }, s.byStatus[st]);
    },
  });
  new Gauge({
    name: 'stratum_rows_replaced',
    help: 'Rows replaced by a rescan or a retry in this run (each repository still has one row).',
    registers: [registry],
    async collect() {
      this.set((await snap()).replaced);
    },
  });
  new Gauge({
    name: 'stratum_manifest_repos',
    help: 'Repositories in the run manifest.',
    registers: [registry],
    async collect() {
      this.reset();
      const s = await snap();
      if (s.manifestCount !== null) this.set(s.manifestCount);
    },
  });
  new Gauge({
    name: 'stratum_scan_throughput_per_minute',
    help: 'Results per minute over the last minutes.',
    registers: [registry],
    async collect() {
      this.set((await snap()).throughput.perMinute ?? 0);
    },
  });
  new Gauge({
    name: 'stratum_counters_source_redis',
    help: '1 when the numbers come from Redis, 0 when from the result files (Redis not reachable).',
    registers: [registry],
    async collect() {
      this.set((await snap()).source === 'redis' ? 1 : 0);
    },
  });
  registry.registerMetric(
    new CountedHistogram(
      'stratum_scan_duration_seconds',
      'Scan duration per repository (clone + scan), from the run counters.',
      snap,
    ) as unknown as Metric,
  );
  return registry;
}
