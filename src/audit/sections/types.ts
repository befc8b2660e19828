import type { AuditThresholds } from '../audit-config.js';
import type { AuditStats } from '../collect.js';
import type { GateResult } from '../gates.js';
import type { ManifestIndex } from '../manifest-index.js';
import type { SplitSummary } from '../split/assign.js';
import type { StrataTargets } from '../strata-targets.js';

/** Everything a section may read. Sections are pure: numbers in, data + markdown out. */
export interface SectionContext {
  stats: AuditStats;
  thresholds: AuditThresholds;
  strata: StrataTargets;
  manifest?: ManifestIndex;
  gates: GateResult[];
  split?: SplitSummary;
  /** Only contract-valid rows were audited (--strict). */
  strict: boolean;
}

export interface SectionOutput {
  /** Every number the markdown shows, machine-readable (goes to audit.json). */
  data: Record<string, unknown>;
  markdown: string;
}

export interface Section {
  id: string;
  title: string;
  build(ctx: SectionContext): SectionOutput;
}
