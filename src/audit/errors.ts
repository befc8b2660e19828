/** A bad request to the audit (unknown section, missing input): the CLI prints it and exits 2. */
export class AuditInputError extends Error {
  override name = 'AuditInputError';
}

/** A bad gates or strata file: the CLI prints it (file and key) and exits 2. */
export class AuditConfigError extends Error {
  override name = 'AuditConfigError';
}
