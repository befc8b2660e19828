/**
 * Whether a value read from a repository looks like a credential. Such values never enter a
 * ping (model names, versions, any free string copied from the repository): a model literal
 * like `"openai:ghp_…"` or a lockfile `version = "AKIA…"` would otherwise land in the dataset.
 */
const KNOWN_TOKEN_SHAPES: readonly RegExp[] = [
  /gh[pousr]_[A-Za-z0-9]{16,}/,
  /github_pat_[A-Za-z0-9_]{16,}/,
  /(?:AKIA|ASIA)[0-9A-Z]{16}/,
  /sk-(?:proj-|ant-|or-)?[A-Za-z0-9_-]{16,}/,
  /xox[abposr]-[A-Za-z0-9-]{10,}/,
  /AIza[0-9A-Za-z_-]{30,}/,
  /hf_[A-Za-z0-9]{20,}/,
  /glpat-[A-Za-z0-9_-]{16,}/,
  /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i,
];

/**
 * An unbroken run of this many letters and digits, mixing both cases and several digits, reads
 * as a random key (model ids break their words with `-`, `.`, `/` or `:`).
 */
const RANDOM_RUN = /[A-Za-z0-9]{24,}/g;

function looksRandom(run: string): boolean {
  return /[a-z]/.test(run) && /[A-Z]/.test(run) && (run.match(/\d/g)?.length ?? 0) >= 3;
}

export function looksLikeCredential(value: string): boolean {
  for (const re of KNOWN_TOKEN_SHAPES) if (re.test(value)) return true;
  for (const m of value.matchAll(RANDOM_RUN)) if (looksRandom(m[0])) return true;
  return false;
}
