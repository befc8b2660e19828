import type { Logger } from '../core/logger.js';

/**
 * The audit as the dashboard sees it: the signature of `runAudit` in src/audit. Behind this
 * small interface so the drain trigger is tested with a real function the test controls.
 */
export interface AuditRequest {
  input: string;
  manifest?: string;
  outDir: string;
  split?: boolean;
  seed?: number;
  format?: 'md' | 'json';
  logger?: Logger;
}

export interface AuditGate {
  id: string;
  name: string;
  pass: boolean;
  evidence: string;
}

export interface AuditOutcome {
  reportPath: string;
  auditJsonPath: string;
  gates: AuditGate[];
  rows: number;
  corruptLines: number;
}

export type AuditRunner = (request: AuditRequest) => Promise<AuditOutcome>;

/**
 * The project's audit (src/audit/index.ts). Loaded lazily so the dashboard starts, and shows
 * the run, on a checkout where the audit module is not built.
 */
export async function loadAuditRunner(): Promise<AuditRunner> {
  // A computed specifier: the audit module is a sibling phase that may not be present yet.
  const specifier = '../audit/index.js';
  try {
    const mod = (await import(specifier)) as { runAudit?: AuditRunner };
    if (typeof mod.runAudit === 'function') return mod.runAudit;
  } catch {
    // fall through
  }
  return async () => {
    throw new Error('the audit module (src/audit/index.ts runAudit) is not available in this build');
  };
}
