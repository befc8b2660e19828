import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { projectRoot } from '../project-root.js';
import { checkInvariants, type InvariantContext } from './invariants.js';
import type { ContractIssue, Validation } from './issues.js';
import type { ManifestRecord } from './manifest.generated.js';
import { fillManifestRecord, type ManifestAcceptance } from './manifest-record.js';
import type { Ping } from './ping.generated.js';
import type { QuarantineRecord } from './quarantine.generated.js';

export {
  checkInvariants,
  DEPLOYMENT_SIGNAL_KEYS,
  FAILURE_CODES,
  type FailureCode,
  INVARIANTS,
} from './invariants.js';
export type { ContractIssue, Validation } from './issues.js';
export {
  type AcceptedManifestRecord,
  fillManifestRecord,
  type ManifestAcceptance,
  type ManifestFill,
  UNKNOWABLE_MANIFEST_FIELDS,
} from './manifest-record.js';
export type { ManifestRecord, Ping, QuarantineRecord };

export const SCHEMA_ID = 5;
export const SCHEMA_VERSION = '0.3.2';

export type ScanStatus = Ping['scan_status'];

/** Fields a success/partial ping may still omit (optional in the dictionary or absent from 0.3.1 pings). */
type AlwaysOptional =
  | 'matched_strata'
  | 'failure_detail'
  | 'is_rescan'
  | 'prev_score'
  | 'score_delta'
  | 'resolved_count'
  | 'new_count'
  | 'pre_scan_id'
  | 'total_tool_count'
  | 'commit_sha'
  | 'commit_source'
  | 'frozen_head_sha'
  | 'framework_self_scan';

/** A `success` or `partial` ping: every field of the dictionary present. */
export type FullPing = Ping & Required<Omit<Ping, AlwaysOptional>>;

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

type Validators = { ping: ValidateFunction; manifest: ValidateFunction; quarantine: ValidateFunction };

type SchemaObject = Record<string, unknown>;

function loadSchema(name: string): SchemaObject {
  return JSON.parse(readFileSync(path.join(projectRoot(), 'schema', name), 'utf8')) as SchemaObject;
}

/** Properties per subschema function in `withPropertyRefs`. */
const PROPERTIES_PER_FUNCTION = 12;

/**
 * The same schema cut into many small subschemas, each behind a `$ref` to a `$defs` entry:
 * each nested (object or array) property on its own, the other properties in groups of 12,
 * and each `allOf` branch (the if/then of the status shapes). It accepts exactly what the
 * original accepts: a local `$ref` to a subschema means that subschema, `properties` apply
 * independently of each other, and the `type: object` added to each part is already required
 * at the top. But with `inlineRefs: false` ajv compiles each part to a function of its own
 * instead of one function for the whole ping (140 kB of source, which V8 spends 0.4 s of CPU
 * optimising, per thread, and several times over when it deoptimises): small functions are
 * optimised sooner and far cheaper, and that was most of the cost of validating the first tens
 * of thousands of pings. Used for the stop-at-first-error check only; errors are reported from
 * the original schema.
 */
export function withPropertyRefs(schema: SchemaObject): SchemaObject {
  const properties = schema.properties as Record<string, SchemaObject> | undefined;
  if (!properties) return schema;
  const defs: Record<string, SchemaObject> = { ...((schema.$defs as Record<string, SchemaObject>) ?? {}) };
  const define = (key: string, part: SchemaObject): SchemaObject => {
    if (key in defs) throw new Error(`schema already defines $defs/${key}`);
    defs[key] = part;
    return { $ref: `#/$defs/${key}` };
  };
  const asObject = (part: unknown): unknown =>
    part && typeof part === 'object' && !Array.isArray(part) ? { type: 'object', ...part } : part;
  const groups: Array<Record<string, SchemaObject>> = [];
  for (const [name, prop] of Object.entries(properties)) {
    const nested =
      prop.type === 'object' ||
      prop.type === 'array' ||
      prop.properties !== undefined ||
      prop.items !== undefined;
    let group = groups[groups.length - 1];
    if (!group || Object.keys(group).length >= PROPERTIES_PER_FUNCTION) {
      group = {};
      groups.push(group);
    }
    group[name] = nested && !/[~/]/.test(name) ? define(`property_${name}`, prop) : prop;
  }
  const branches = ((schema.allOf as SchemaObject[] | undefined) ?? []).map((branch, i) => {
    const part: SchemaObject = { type: 'object', ...branch };
    for (const key of ['if', 'then', 'else'])
      if (branch[key] !== undefined) part[key] = asObject(branch[key]);
    return define(`branch_${i}`, part);
  });
  const { properties: _all, allOf: _branches, ...rest } = schema;
  return {
    ...rest,
    allOf: [
      ...branches,
      ...groups.map((g, i) => define(`properties_${i}`, { type: 'object', properties: g })),
    ],
    $defs: defs,
  };
}

/**
 * An ajv instance as the contract uses it: with `allErrors` for reporting; without it (stop at
 * the first error) for the fast check, where separate functions per referenced subschema pay off
 * (see withPropertyRefs).
 */
function contractAjv(allErrors: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    inlineRefs: allErrors,
  });
  addFormats(ajv);
  ajv.addKeyword('tsType');
  return ajv;
}

const SCHEMA_FILES: Record<keyof Validators, string> = {
  ping: 'ping.schema.json',
  manifest: 'manifest-record.schema.json',
  quarantine: 'quarantine-record.schema.json',
};

/**
 * One contract schema compiled for reporting (`allErrors`) or for the fast check. Only the ping
 * schema is big enough for `withPropertyRefs` to pay off (and is tested to agree with itself).
 */
function compileSchema(kind: keyof Validators, allErrors: boolean): ValidateFunction {
  const schema = loadSchema(SCHEMA_FILES[kind]);
  return contractAjv(allErrors).compile(kind === 'ping' && !allErrors ? withPropertyRefs(schema) : schema);
}

/** The ping validator as compiled for reporting or for the fast check (exported for the test that they agree). */
export function compilePingValidator(allErrors: boolean): ValidateFunction {
  return compileSchema('ping', allErrors);
}

/**
 * Each schema compiled once per process and mode, when first used (ajv compilation is slow;
 * validation is fast): an audit worker that only checks pings never compiles the others.
 * The fast mode stops at the first error, about a third cheaper on valid records, which are
 * nearly all of them; a record it rejects is validated again with `allErrors` so that every
 * error is still reported.
 */
const compiled: Record<'fast' | 'all', Partial<Validators>> = { fast: {}, all: {} };

function validator(kind: keyof Validators, allErrors: boolean): ValidateFunction {
  const cache = compiled[allErrors ? 'all' : 'fast'];
  let v = cache[kind];
  if (!v) {
    v = compileSchema(kind, allErrors);
    cache[kind] = v;
  }
  return v;
}

/**
 * Compiles the fast validators of `kinds` now, not at their first record (ajv takes ~0.3 s for
 * the ping schema): a worker calls it at start-up so that its first repository does not pay it.
 */
export function prepareValidators(kinds: readonly (keyof Validators)[]): void {
  for (const kind of kinds) validator(kind, false);
}

/** The kinds whose fast validator is compiled in this process so far. */
export function compiledValidators(): (keyof Validators)[] {
  return (Object.keys(compiled.fast) as (keyof Validators)[]).sort();
}

/** Schema errors of `value` (empty when valid): the fast check first, all errors only on failure. */
function schemaErrors(kind: keyof Validators, value: unknown): ContractIssue[] {
  if (validator(kind, false)(value)) return [];
  const v = validator(kind, true);
  return v(value) ? [] : schemaIssues(v.errors);
}

function schemaIssues(errors: ErrorObject[] | null | undefined): ContractIssue[] {
  // `if/then` failures repeat the real error; keep the specific ones.
  return (errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const pointer = e.instancePath || '/';
      switch (e.keyword) {
        case 'required':
          return {
            pointer: `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`,
            message: `required field is missing`,
          };
        case 'additionalProperties':
          return {
            pointer: `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`,
            message: 'unknown field',
          };
        case 'enum':
          return {
            pointer,
            message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
          };
        default:
          return { pointer, message: e.message ?? e.keyword };
      }
    });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a scanner ping against the JSON Schema and every cross-field invariant, and
 * returns all errors together. `expected.repoFullName` enables invariant 11.
 */
export function validatePing(value: unknown, expected: { repoFullName?: string } = {}): Validation<Ping> {
  if (!isPlainObject(value))
    return { ok: false, errors: [{ pointer: '/', message: 'a ping must be a JSON object' }] };
  const errors = schemaErrors('ping', value);
  const ctx: InvariantContext = expected.repoFullName ? { expectedRepoFullName: expected.repoFullName } : {};
  errors.push(...checkInvariants(value, ctx));
  return errors.length ? { ok: false, errors } : { ok: true, value: value as Ping };
}

/** The GitHub owner/name grammar: owner alnum + '-', repo alnum + '._-', no '.'/'..' names. */
export function repoFullNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'repo_full_name must be a string';
  const m = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/.exec(name);
  if (!m) return `repo_full_name ${JSON.stringify(name.slice(0, 120))} is not a GitHub owner/name`;
  if (m[2] === '.' || m[2] === '..') return `repo_full_name ${JSON.stringify(name)} has a reserved name`;
  return undefined;
}

export function validateManifestRecord(value: unknown): Validation<ManifestRecord> {
  if (!isPlainObject(value))
    return { ok: false, errors: [{ pointer: '/', message: 'a manifest record must be a JSON object' }] };
  const errors = schemaErrors('manifest', value);
  const nameProblem = repoFullNameProblem(value.repo_full_name);
  if (nameProblem && !errors.some((e) => e.pointer === '/repo_full_name'))
    errors.push({ pointer: '/repo_full_name', message: nameProblem });
  return errors.length ? { ok: false, errors } : { ok: true, value: value as unknown as ManifestRecord };
}

/** A manifest line's value, validated and with the compatibility rules applied (what enqueue and the audit read). */
export function acceptManifestRecord(value: unknown): ManifestAcceptance {
  const v = validateManifestRecord(value);
  return v.ok ? { ok: true, ...fillManifestRecord(v.value) } : v;
}

export function validateQuarantineRecord(value: unknown): Validation<QuarantineRecord> {
  const errors = schemaErrors('quarantine', value);
  return errors.length ? { ok: false, errors } : { ok: true, value: value as QuarantineRecord };
}

/** Formats issues as `pointer: message` lines for logs and reports. */
export function formatIssues(errors: readonly ContractIssue[]): string {
  return errors.map((e) => `${e.pointer}: ${e.message}`).join('; ');
}

export { buildFailurePing, type FailurePingInput } from './failure-ping.js';
