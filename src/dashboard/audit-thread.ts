import { runAuditOnThread } from '../audit/audit-thread.js';
import type { AuditOutcome, AuditRunner } from './audit-runner.js';

/**
 * The dashboard's audit: the project's audit on its own thread (`runAuditOnThread`). A full
 * audit of 50,000 rows is seconds of synchronous parsing; run inside the dashboard's event loop
 * it would stall the stats page, the metrics scrape and bull-board for that long.
 */
export const threadedAudit: AuditRunner = async (request) => {
  const result = await runAuditOnThread(request);
  const outcome: AuditOutcome = {
    reportPath: result.reportPath,
    auditJsonPath: result.auditJsonPath,
    gates: result.gates,
    rows: result.rows,
    corruptLines: result.corruptLines,
  };
  return outcome;
};
