export {
  AuditConfigError,
  type AuditThresholds,
  DEFAULT_THRESHOLDS,
  loadThresholds,
} from './audit-config.js';
export { GATE_IDS, type GateResult } from './gates.js';
export {
  AuditInputError,
  type AuditOptions,
  type AuditResult,
  DEFAULT_SPLIT_SEED,
  runAudit,
} from './run-audit.js';
export { SECTION_IDS } from './sections/index.js';
export type { SplitSummary } from './split/assign.js';
