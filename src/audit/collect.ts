import { EFFECTIVE_STATUSES, isEffective, rowReason } from '../core/figures.js';
import { Counter, GrowableInt32 } from './counts.js';
import type { LineVerdict, RowFacts } from './line-verdict.js';
import type { ManifestIndex } from './manifest-index.js';
import { NameTable } from './name-table.js';
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
  /** Distinct topology hashes; `topologyFirst[id]` is the index of the hash's first repository. */
  readonly topologyHashes = new NameTable();
  private readonly topologyFirst = new GrowableInt32(1024, -1);
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
  /** Accepted repositories, numbered in acceptance order (the repository index); also detects duplicate rows. */
  readonly repos = new NameTable();
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
  ) {}

  get effective(): number {
    return EFFECTIVE_STATUSES.reduce((n, status) => n + this.status.get(status), 0);
  }

  /**
   * Feeds the verdict on one non-blank line (its 1-based number in the file) to the statistics.
   * Returns the repository index when the row is accepted (valid and the first of its
   * repository), else -1.
   */
  addVerdict(v: LineVerdict, line: number): number {
    this.lines++;
    if (v.kind === 'corrupt') {
      this.corruptCount++;
      if (this.corrupt.length < MAX_LISTED) this.corrupt.push({ line, error: v.error });
      return -1;
    }
    if (v.kind === 'invalid') {
      this.invalidCount++;
      if (this.invalid.length < MAX_LISTED)
        this.invalid.push({ line, ...(v.repo !== undefined ? { repo: v.repo } : {}), error: v.error });
      return -1;
    }
    const row = v.row;
    const before = this.repos.size;
    const index = this.repos.add(row.repo);
    if (index < before) {
      this.duplicateCount++;
      if (this.duplicates.length < MAX_LISTED)
        this.duplicates.push({ line, repo: row.repo, error: `repeats the row of ${row.repo}` });
      return -1;
    }
    this.lineRepo.set(line, index);
    this.addRow(row, index);
    return index;
  }

  private addRow(p: RowFacts, index: number): void {
    this.rows++;
    const status = p.status;
    this.status.add(status);
    this.scannerVersions.add(p.scannerVersion);
    const reason = rowReason(status, p.failureReason);
    if (reason) this.failureReasons.add(`${status}:${reason}`);
    const effective = isEffective(status);
    const stratum = this.strata.get(p.stratum) ?? { rows: 0, effective: 0 };
    stratum.rows++;
    if (effective) stratum.effective++;
    this.strata.set(p.stratum, stratum);

    if (this.manifest) {
      if (!this.manifest.repos.has(p.repo)) {
        this.notInManifestCount++;
        if (this.notInManifest.length < MAX_LISTED) this.notInManifest.push(p.repo);
      }
    }

    const score = p.deploymentScore;
    this.splitStratum.set(
      index,
      this.stratumId(`${p.primary} × ${score === null ? 'n/a' : `deploy ${score}`}`),
    );
    this.groups?.addRepo(index);
    if (this.groups && this.manifest) {
      const forkParent = this.manifest.repos.forkParent(p.repo);
      if (forkParent) this.groups.link(index, `fork:${forkParent}`);
      if (this.manifest.repos.isForkParent(p.repo)) this.groups.link(index, `fork:${p.repo}`);
    }
    if (!effective) return;
    this.inSplit.set(index, 1);

    for (const fw of p.frameworks) this.frameworks.add(fw);
    this.risk[Math.max(0, Math.min(100, p.risk))]!++;
    for (let r = 0; r < p.rules.length; r++) {
      const rule = p.rules[r] as string;
      this.ruleRepos.add(rule);
      const impact = p.impacts[r];
      if (impact !== null && impact !== undefined) {
        let c = this.ruleImpact.get(rule);
        if (!c) {
          c = new Counter<number>();
          this.ruleImpact.set(rule, c);
        }
        c.add(impact);
      }
    }
    if (score !== null) this.deployment[score]!++;
    const hash = p.topologyHash;
    if (hash) {
      this.topologyRows++;
      const before = this.topologyHashes.size;
      const id = this.topologyHashes.add(hash);
      const first = this.topologyFirst.get(id);
      if (id === before) this.topologyFirst.set(id, index);
      else {
        const cluster = this.clusters.get(hash);
        if (cluster) {
          cluster.count++;
          if (cluster.samples.length < SAMPLES_PER_CLUSTER) cluster.samples.push(p.repo);
        } else this.clusters.set(hash, { count: 2, samples: [this.repos.name(first), p.repo] });
        this.groups?.union(first, index);
      }
    }
    if (p.filesTotal > 0) {
      const ratio = p.filesScanned / p.filesTotal;
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
    for (const repo of this.manifest.repos.listedRepos()) if (this.repos.find(repo) < 0) missing++;
    this.manifestMissing = missing;
  }
}
