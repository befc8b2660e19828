import { formatIssues, type Ping, validatePing } from '../core/contract/index.js';
import { Counter, GrowableInt32 } from './counts.js';
import type { ManifestIndex } from './manifest-index.js';
import type { LeakageGroups } from './split/grouping.js';

export interface RowIssue {
  line: number;
  repo?: string;
  error: string;
}

export interface TopologyCluster {
  count: number;
  samples: string[];
}

export interface StratumCount {
  rows: number;
  effective: number;
}

const MAX_LISTED = 100;
const SAMPLES_PER_CLUSTER = 3;

/**
 * Receives every accepted row (valid, first of its repository) during the statistics pass:
 * the parsed ping and the UTF-8 bytes of its line (a view valid only during the call).
 */
export type RowSink = (ping: Ping, repoIndex: number, line: Uint8Array) => void;

/**
 * Everything the report needs, gathered in one pass over the results. Memory is bounded by
 * distinct keys (repositories, hashes, rules, frameworks), never by the file's bytes.
 */
export class AuditStats {
  lines = 0;
  bytes = 0;
  corruptCount = 0;
  readonly corrupt: RowIssue[] = [];
  invalidCount = 0;
  readonly invalid: RowIssue[] = [];
  duplicateCount = 0;
  readonly duplicates: RowIssue[] = [];
  /** Accepted rows: contract-valid and the first row of their repository. */
  rows = 0;
  readonly status = new Counter();
  /** "status:reason" → rows. */
  readonly failureReasons = new Counter();
  readonly frameworks = new Counter();
  readonly scannerVersions = new Counter();
  readonly risk = new Int32Array(101);
  readonly ruleRepos = new Counter();
  readonly ruleImpact = new Map<string, Counter<number>>();
  readonly deployment = new Int32Array(6);
  /** topology hash → index of its first repository (one number per distinct hash). */
  readonly topologyFirst = new Map<string, number>();
  /** Only hashes shared by 2+ repositories: member count and sample members. */
  readonly clusters = new Map<string, TopologyCluster>();
  /** Effective rows that carry a topology hash. */
  topologyRows = 0;
  /** files_scanned/files_total in thousandths (0…1000) over effective rows with files_total > 0. */
  readonly coverage = new Int32Array(1001);
  coverageRows = 0;
  coverageUnderHalf = 0;
  filesTotalZero = 0;
  readonly strata = new Map<string, StratumCount>();
  /** Repository name → index in acceptance order; also detects duplicate rows. */
  readonly repoIndex = new Map<string, number>();
  readonly repoNames: string[] = [];
  /** Line number → repository index of the accepted row on it (-1 for any other line). */
  readonly lineRepo = new GrowableInt32(1024, -1);
  /** Repository index → split stratum id (framework × deployment score). */
  readonly splitStratum = new GrowableInt32(1024, 0);
  /** Repository index → 1 when its row goes into the split files (success or partial), else 0. */
  readonly inSplit = new GrowableInt32(1024, 0);
  readonly splitStrata: string[] = [];
  private readonly splitStratumIds = new Map<string, number>();
  manifestMissing = 0;
  readonly notInManifest: string[] = [];
  notInManifestCount = 0;

  constructor(
    private readonly manifest?: ManifestIndex,
    private readonly groups?: LeakageGroups,
    private readonly sinks: readonly RowSink[] = [],
  ) {}

  get effective(): number {
    return this.status.get('success') + this.status.get('partial');
  }

  /** Feeds one raw line (its 1-based number and, when the reader has them, its bytes) to the statistics. */
  addLine(raw: string, line: number, bytes?: Uint8Array): void {
    this.lines++;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      this.corruptCount++;
      if (this.corrupt.length < MAX_LISTED)
        this.corrupt.push({ line, error: `${(err as Error).message} (${raw.length} chars)` });
      return;
    }
    const v = validatePing(value);
    if (!v.ok) {
      this.invalidCount++;
      if (this.invalid.length < MAX_LISTED) {
        const repo = (value as { repo_full_name?: unknown }).repo_full_name;
        this.invalid.push({
          line,
          ...(typeof repo === 'string' ? { repo } : {}),
          error:
            formatIssues(v.errors.slice(0, 3)) +
            (v.errors.length > 3 ? ` (+${v.errors.length - 3} more)` : ''),
        });
      }
      return;
    }
    const ping = v.value;
    const first = this.repoIndex.get(ping.repo_full_name);
    if (first !== undefined) {
      this.duplicateCount++;
      if (this.duplicates.length < MAX_LISTED)
        this.duplicates.push({
          line,
          repo: ping.repo_full_name,
          error: `repeats the row of ${ping.repo_full_name}`,
        });
      return;
    }
    const index = this.repoNames.length;
    this.repoIndex.set(ping.repo_full_name, index);
    this.repoNames.push(ping.repo_full_name);
    this.lineRepo.set(line, index);
    this.addPing(ping, index);
    if (this.sinks.length) {
      const lineBytes = bytes ?? Buffer.from(raw, 'utf8');
      for (const sink of this.sinks) sink(ping, index, lineBytes);
    }
  }

  private addPing(p: Ping, index: number): void {
    this.rows++;
    const status = p.scan_status;
    this.status.add(status);
    this.scannerVersions.add(p.scanner_version);
    if (p.failure_reason) this.failureReasons.add(`${status}:${p.failure_reason}`);
    const effective = status === 'success' || status === 'partial';
    const stratum = this.strata.get(p.selection_stratum) ?? { rows: 0, effective: 0 };
    stratum.rows++;
    if (effective) stratum.effective++;
    this.strata.set(p.selection_stratum, stratum);

    if (this.manifest) {
      if (!this.manifest.forkParent.has(p.repo_full_name)) {
        this.notInManifestCount++;
        if (this.notInManifest.length < MAX_LISTED) this.notInManifest.push(p.repo_full_name);
      }
    }

    const primary = p.repo_metadata?.primary_framework || p.frameworks?.[0] || 'none';
    const score = p.deployment_signals?.deployment_score;
    this.splitStratum.set(
      index,
      this.stratumId(`${primary} × ${score === undefined ? 'n/a' : `deploy ${score}`}`),
    );
    this.groups?.addRepo(index);
    const forkParent = this.manifest?.forkParent.get(p.repo_full_name);
    if (this.groups) {
      if (forkParent) this.groups.link(index, `fork:${forkParent}`);
      if (this.manifest?.parents.has(p.repo_full_name)) this.groups.link(index, `fork:${p.repo_full_name}`);
    }
    if (!effective) return;
    this.inSplit.set(index, 1);

    for (const fw of p.frameworks ?? []) this.frameworks.add(fw);
    const risk = p.risk_score ?? 0;
    this.risk[Math.max(0, Math.min(100, risk))]!++;
    for (const rule of p.finding_rules ?? []) {
      this.ruleRepos.add(rule);
      const impact = p.fix_impact_estimates?.[rule];
      if (impact !== undefined) {
        let c = this.ruleImpact.get(rule);
        if (!c) {
          c = new Counter<number>();
          this.ruleImpact.set(rule, c);
        }
        c.add(impact);
      }
    }
    if (score !== undefined) this.deployment[score]!++;
    const hash = p.topology_signature_hash;
    if (hash) {
      this.topologyRows++;
      const first = this.topologyFirst.get(hash);
      if (first === undefined) this.topologyFirst.set(hash, index);
      else {
        const cluster = this.clusters.get(hash);
        if (cluster) {
          cluster.count++;
          if (cluster.samples.length < SAMPLES_PER_CLUSTER) cluster.samples.push(p.repo_full_name);
        } else
          this.clusters.set(hash, { count: 2, samples: [this.repoNames[first] as string, p.repo_full_name] });
        this.groups?.union(first, index);
      }
    }
    if (p.files_total > 0) {
      const ratio = p.files_scanned / p.files_total;
      this.coverage[Math.round(ratio * 1000)]!++;
      this.coverageRows++;
      if (ratio < 0.5) this.coverageUnderHalf++;
    } else this.filesTotalZero++;
  }

  private stratumId(name: string): number {
    let id = this.splitStratumIds.get(name);
    if (id === undefined) {
      id = this.splitStrata.length;
      this.splitStrata.push(name);
      this.splitStratumIds.set(name, id);
    }
    return id;
  }

  /** After the pass: manifest repositories that have no row in the results. */
  finish(): void {
    if (!this.manifest) return;
    let missing = 0;
    for (const repo of this.manifest.forkParent.keys()) if (!this.repoIndex.has(repo)) missing++;
    this.manifestMissing = missing;
  }
}
