/**
 * Scrubbing of secrets from anything that leaves the process: logs, failure details,
 * output files. Two layers: exact known secret values, and patterns that look like
 * credentials (tokens, URL user-info) even when we were never told about them.
 */
const TOKEN_PATTERNS: RegExp[] = [
  /gh[pousr]_[A-Za-z0-9]{20,}/g,
  /github_pat_[A-Za-z0-9_]{20,}/g,
  /AKIA[0-9A-Z]{16}/g,
  /sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/g,
  /xox[abposr]-[A-Za-z0-9-]{10,}/g,
];

// A password may hold an unescaped '/' (AWS secrets do), so after the colon only '@' and
// white space end it: over-redacting `host:port/path@x` is the safe side.
// Stryker disable next-line Regex: a one-letter-shorter scheme match redacts the same user-info
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*)(?::([^\s@]*))?@/gi;

export const REDACTED = '[REDACTED]';

// Stryker disable next-line ArrayDeclaration: a default list holding a string no text contains changes nothing
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  }
  out = out.replace(URL_USERINFO, (_m, scheme: string) => `${scheme}${REDACTED}@`);
  for (const re of TOKEN_PATTERNS) out = out.replace(re, REDACTED);
  return out;
}

/** Removes user-info from a URL so it can be shown: `https://u:p@h/x` → `https://h/x`. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return redact(url);
  }
}
