/** Messages of the warm scanner protocol (`stratum-scan serve`), framed by `frames.ts`. */

/** Scan one directory: the same options as `stratum-scan scan DIR --json …`. */
export interface ScanRequestMessage {
  id: number;
  dir: string;
  repoName?: string;
  repoUrl?: string;
  selectionStratum?: string;
  maxFiles?: number;
  maxFileBytes?: number;
  timeBudgetMs?: number;
}

/** Process memory after a scan, which the pool reads to decide on recycling. */
export interface MemoryReport {
  rssBytes: number;
  heapUsedBytes: number;
}

export type ScanResponseMessage =
  | {
      id: number;
      ok: true;
      /** Exactly the text `scan --json` prints, without its final newline. */
      ping: string;
      memory: MemoryReport;
    }
  | { id: number; ok: false; kind: 'usage' | 'crash'; error: string; memory: MemoryReport };

/** The first message of a server: it is ready for requests. */
export interface ReadyMessage {
  ready: true;
  version: string;
  pid: number;
  /** What the warm-up before this message did (absent from servers without one). */
  warmUp?: { passes: number; ms: number; error?: string };
}

/** Largest request a server accepts (a request is a path and a few options). */
export const MAX_REQUEST_BYTES = 1024 * 1024;
