/**
 * Which rows the audit counts (unless --strict): the reference pipeline's own acceptance rules
 * (stratum-cli `pipeline/validation.py`, `validate_ping`: its scan runner writes a row to
 * scan_results.jsonl only when they pass) plus type invariants on the fields a section reads,
 * so that every number the audit computes means what it says. Absent and null fields are
 * "unknown" wherever the reference allows them; the full contract is reported separately
 * (the conformance section), never used to drop a row here.
 */

type Obj = Record<string, unknown>;

/** One reason a row is not audited: `rule` names the check (bounded set), `message` the values. */
export interface AcceptanceProblem {
  rule: string;
  message: string;
}

export const AUDIT_STATUSES = ['success', 'partial', 'failed', 'empty'] as const;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v)?.slice(0, 80));

/** Σ of an object's values (absent or null counts as {}, as the reference's `.get(key, {})` does for absent keys). */
function valueSum(o: unknown): number {
  let total = 0;
  if (isObj(o)) for (const k in o) total += o[k] as number;
  return total;
}

/** Types of the fields the audit's sections read; every status. */
function typeProblems(p: Obj, out: AcceptanceProblem[]): void {
  const bad = (field: string, expected: string) =>
    out.push({ rule: `type: ${field}`, message: `${field} must be ${expected}, got ${show(p[field])}` });
  if (!(AUDIT_STATUSES as readonly unknown[]).includes(p.scan_status))
    bad('scan_status', `one of ${AUDIT_STATUSES.join(', ')}`);
  if (typeof p.repo_full_name !== 'string' || p.repo_full_name === '')
    bad('repo_full_name', 'a non-empty string');
  for (const f of ['selection_stratum', 'failure_reason', 'topology_signature_hash'])
    if (!absent(p[f]) && typeof p[f] !== 'string') bad(f, 'a string or null');
  if (
    !absent(p.frameworks) &&
    !(Array.isArray(p.frameworks) && p.frameworks.every((f) => typeof f === 'string'))
  )
    bad('frameworks', 'a list of strings or null');
  if (!absent(p.framework_versions) && !isObj(p.framework_versions))
    bad('framework_versions', 'an object or null');
  if (!absent(p.risk_score) && !(isNumber(p.risk_score) && p.risk_score >= 0 && p.risk_score <= 100))
    bad('risk_score', 'a number from 0 to 100 or null');
  for (const f of ['files_scanned', 'files_total'])
    if (!absent(p[f]) && !(isNumber(p[f]) && (p[f] as number) >= 0)) bad(f, 'a number ≥ 0 or null');
  const ds = p.deployment_signals;
  if (!absent(ds)) {
    if (!isObj(ds)) bad('deployment_signals', 'an object or null');
    else if (
      !absent(ds.deployment_score) &&
      !(Number.isInteger(ds.deployment_score) && (ds.deployment_score as number) >= 0)
    )
      out.push({
        rule: 'type: deployment_signals.deployment_score',
        message: `deployment_score must be an integer ≥ 0 or null, got ${show(ds.deployment_score)}`,
      });
  }
  for (const f of ['finding_severities', 'finding_instance_counts'])
    if (!absent(p[f]) && !(isObj(p[f]) && Object.values(p[f] as Obj).every((v) => isNumber(v) && v >= 0)))
      bad(f, 'an object of counts or null');
  if (!absent(p.fix_impact_estimates) && !isObj(p.fix_impact_estimates))
    bad('fix_impact_estimates', 'an object or null');
  for (const f of ['crew_size_distribution', 'agent_tool_count_distribution'])
    if (!absent(p[f]) && !Array.isArray(p[f])) bad(f, 'a list or null');
  const meta = p.repo_metadata;
  if (!absent(meta) && !isObj(meta)) bad('repo_metadata', 'an object or null');
}

/** The reference's deployment rule: deployment_score = the number of true signals, whatever their names. */
function deploymentProblem(p: Obj, out: AcceptanceProblem[]): void {
  const ds = p.deployment_signals;
  if (!isObj(ds) || absent(ds.deployment_score)) return;
  let trues = 0;
  for (const k in ds) if (k !== 'deployment_score' && ds[k] === true) trues++;
  if (ds.deployment_score !== trues)
    out.push({
      rule: 'reference: deployment_score',
      message: `deployment_signals.deployment_score=${show(ds.deployment_score)}, but ${trues} signals are true`,
    });
}

/** stratum-cli validation.py `validate_ping`, rule by rule, for success and partial rows. */
function referenceProblems(p: Obj, out: AcceptanceProblem[]): void {
  const fail = (rule: string, message: string) => out.push({ rule: `reference: ${rule}`, message });
  if (p.schema_id !== 5) fail('schema_id', `schema_id=${show(p.schema_id)}, expected 5`);
  if (p.finding_rule_count !== valueSum(p.finding_severities))
    fail(
      'finding_rule_count',
      `finding_rule_count ${show(p.finding_rule_count)} != Σ finding_severities ${valueSum(p.finding_severities)}`,
    );
  if (p.total_finding_instances !== valueSum(p.finding_instance_counts))
    fail(
      'total_finding_instances',
      `total_finding_instances ${show(p.total_finding_instances)} != Σ finding_instance_counts ${valueSum(p.finding_instance_counts)}`,
    );
  for (const [dist, count] of [
    ['crew_size_distribution', 'crew_count'],
    ['agent_tool_count_distribution', 'agent_count'],
  ] as const) {
    const length = Array.isArray(p[dist]) ? (p[dist] as unknown[]).length : 0;
    const expected = p[count] === undefined ? 0 : p[count];
    if (length !== expected) fail(dist, `${dist} has ${length} entries, ${count} is ${show(p[count])}`);
  }
  if (typeof p.scanner_version !== 'string')
    fail('scanner_version', `scanner_version must be a string, got ${show(p.scanner_version)}`);
  if (p.schema_version !== '0.3.2')
    fail('schema_version', `schema_version=${show(p.schema_version)}, expected "0.3.2"`);
  if (Array.isArray(p.frameworks) && isObj(p.framework_versions)) {
    const fws = new Set(p.frameworks as string[]);
    const keys = Object.keys(p.framework_versions);
    if (fws.size !== new Set(keys).size || keys.some((k) => !fws.has(k)))
      fail('frameworks', `frameworks ${show(p.frameworks)} != framework_versions keys ${show(keys)}`);
  }
  deploymentProblem(p, out);
  const ice = p.inter_crew_edges;
  if (!absent(ice)) {
    if (!Number.isInteger(ice) || (ice as number) < 0)
      fail('inter_crew_edges', `inter_crew_edges=${show(ice)}, expected an integer ≥ 0`);
    else if (isNumber(p.graph_edge_count) && (ice as number) > p.graph_edge_count)
      fail(
        'inter_crew_edges',
        `inter_crew_edges=${show(ice)} > graph_edge_count=${show(p.graph_edge_count)}`,
      );
  }
  const fie = p.fix_impact_estimates;
  if (isObj(fie))
    for (const k in fie)
      if (!Number.isInteger(fie[k]) || (fie[k] as number) >= 0) {
        fail(
          'fix_impact_estimates',
          `fix_impact_estimates[${show(k)}]=${show(fie[k])}, expected a negative integer`,
        );
        break;
      }
}

/**
 * Why the audit does not count `p` (empty when it does): failed and empty rows need only the
 * field types; success and partial rows also the reference's acceptance rules.
 *
 * `contractValid`: `p` passed the full contract, whose schema and invariants imply every type
 * above and every reference rule but one (tested): the contract counts only its five
 * deployment signals and does not forbid others, the reference counts every true one. Only
 * that rule is then checked, which keeps the audit of valid files as fast as before.
 */
export function acceptanceProblems(p: Obj, contractValid = false): AcceptanceProblem[] {
  const out: AcceptanceProblem[] = [];
  const effective = p.scan_status === 'success' || p.scan_status === 'partial';
  if (contractValid) {
    if (effective) deploymentProblem(p, out);
    return out;
  }
  typeProblems(p, out);
  if (effective) referenceProblems(p, out);
  return out;
}
