export { BackfillPlanBuilder, BackfillPlanMismatch, resetBackfill } from './backfill-plan.js';
export { formatStrataProgress, readBackfillReport } from './backfill-report.js';
export { type BackfillSummary, runBackfill } from './run-backfill.js';
