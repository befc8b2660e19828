/**
 * Hand labels of real repositories (test/scanner/calibration/labels.json) and their exact
 * comparison with a ping. Shared by the regression test and bench/calibration.ts.
 */

/** What a reader counts in one repository; a field left out was not labelled. */
export interface CalibrationLabel {
  repo: string;
  commit: string;
  /** Folder name of the checkout the bench scans (`owner+name`). */
  checkout: string;
  /** Fixture folder under test/fixtures/calibration reproducing the labelled structure. */
  fixture: string;
  stratum: string;
  notes: string;
  scan_status?: string;
  agent_count?: number;
  crew_count?: number;
  crew_size_distribution?: number[];
  total_tool_count?: number;
  mcp_server_count?: number;
  frameworks?: string[];
  deployment_signals?: Record<string, boolean>;
  /** Optional ping field of a framework's own repository (see docs/scanner-calibration.md). */
  framework_self_scan?: string | null;
}

export const CALIBRATION_FIELDS = [
  'scan_status',
  'frameworks',
  'agent_count',
  'crew_count',
  'crew_size_distribution',
  'total_tool_count',
  'mcp_server_count',
  'deployment_signals',
  'framework_self_scan',
] as const;

export interface FieldResult {
  field: string;
  want: unknown;
  got: unknown;
  match: boolean;
}

function deploymentOf(ping: Record<string, unknown>): Record<string, boolean> | undefined {
  const d = ping.deployment_signals as Record<string, unknown> | undefined;
  if (!d) return undefined;
  const out: Record<string, boolean> = {};
  for (const k of ['has_dockerfile', 'has_ci_config', 'has_tests', 'has_lockfile', 'has_env_example'])
    out[k] = d[k] === true;
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Each labelled field against the ping, exactly (lists of frameworks compared sorted). */
export function compareLabel(label: CalibrationLabel, ping: Record<string, unknown>): FieldResult[] {
  const out: FieldResult[] = [];
  for (const field of CALIBRATION_FIELDS) {
    const want = label[field];
    if (want === undefined) continue;
    let got: unknown = ping[field];
    if (field === 'deployment_signals') got = deploymentOf(ping);
    if (field === 'frameworks' && Array.isArray(got)) got = [...got].sort();
    const wanted = field === 'frameworks' && Array.isArray(want) ? [...want].sort() : want;
    out.push({ field, want: wanted, got, match: same(wanted, got) });
  }
  return out;
}
