/** The ping as the scanner builds it (the contract module validates the full shape). */
export type PingObject = Record<string, unknown> & {
  scan_id: string;
  timestamp: string;
  scan_status: 'success' | 'partial' | 'empty' | 'failed';
  scan_duration_ms: number;
};
