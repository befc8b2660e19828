import type { Logger } from '../core/logger.js';

/**
 * The audit as the dashboard sees it: the signature of `runAudit` in src/audit. Behind this
 * small interface so the drain trigger is tested with a real function the test controls. The
 * dashboard runs the project's audit on its own thread (`threadedAudit` in audit-thread.ts).
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
