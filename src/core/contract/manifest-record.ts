import { repoHash } from '../repo-hash.js';
import type { ContractIssue } from './issues.js';
import type { ManifestRecord } from './manifest.generated.js';

/** The fields a manifest may leave unknown: absent or null (the reference pipeline writes none of them). */
export const UNKNOWABLE_MANIFEST_FIELDS = ['head_sha', 'is_archived', 'language_bytes'] as const;
export type UnknowableManifestField = (typeof UNKNOWABLE_MANIFEST_FIELDS)[number];

/** A manifest record as the pipeline uses it: repo_hash always set, unknown fields null. */
export type AcceptedManifestRecord = Omit<ManifestRecord, 'repo_hash' | UnknowableManifestField> & {
  repo_hash: string;
  head_sha: string | null;
  is_archived: boolean | null;
  language_bytes: Record<string, number> | null;
};

/** What the compatibility rules filled in for one record. */
export interface ManifestFill {
  /** repo_hash was null or absent and was derived from repo_full_name. */
  repoHashDerived: boolean;
  /** Fields absent or null in the record: recorded as unknown (null). */
  unknown: UnknowableManifestField[];
}

export type ManifestAcceptance =
  | { ok: true; record: AcceptedManifestRecord; fill: ManifestFill }
  | { ok: false; errors: ContractIssue[] };

/**
 * The compatibility rules applied to a record that passed the manifest schema: a missing
 * repo_hash is derived (the one formula, src/core/repo-hash.ts), head_sha, is_archived and
 * language_bytes absent or null are unknown (null), the reference's scan_status is ignored.
 * docs/compatibility.md lists the same rules.
 */
export function fillManifestRecord(record: ManifestRecord): {
  record: AcceptedManifestRecord;
  fill: ManifestFill;
} {
  const { scan_status: _ignored, ...rest } = record;
  const unknown = UNKNOWABLE_MANIFEST_FIELDS.filter((f) => record[f] === undefined || record[f] === null);
  const derived = typeof record.repo_hash !== 'string' || record.repo_hash === '';
  return {
    record: {
      ...rest,
      repo_hash: derived ? repoHash(record.repo_full_name) : (record.repo_hash as string),
      head_sha: record.head_sha ?? null,
      is_archived: record.is_archived ?? null,
      language_bytes: record.language_bytes ?? null,
    },
    fill: { repoHashDerived: derived, unknown },
  };
}
