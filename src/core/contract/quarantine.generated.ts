/* Generated from schema/quarantine-record.schema.json by scripts/gen-contract-types.mjs. Do not edit. */

/**
 * One line of quarantine.jsonl: a ping that broke the contract, with every error.
 */
export interface QuarantineRecord {
  repo_full_name: string;
  /**
   * the repository's repo_hash, as in the manifest and every other row (src/core/repo-hash.ts)
   */
  repo_hash?: string;
  /**
   * the scanner output as received (after explicit pipeline repairs)
   */
  ping: unknown;
  /**
   * @minItems 1
   */
  validation_errors: {
    pointer: string;
    message: string;
  }[];
  quarantined_at: string;
  job_id: string;
  attempts: number;
}
