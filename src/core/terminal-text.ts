/**
 * Text that came from input (manifest lines, repository names, error details quoting a file)
 * must not drive a terminal: ESC/BEL/CSI sequences could recolour it, retitle the window or
 * hide what follows. Control characters become visible escapes; everything else is kept.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const CONTROL_WITH_NEWLINES = /[\u0000-\u001f\u007f-\u009f]/g;

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return `\\x${code.toString(16).padStart(2, '0')}`;
}

/** One line of terminal-safe text: every control character (newlines too) shown as an escape. */
export function escapeLine(text: string): string {
  return text.replace(CONTROL_WITH_NEWLINES, visible);
}

/** Terminal-safe text that keeps its own line breaks and tabs. */
export function escapeText(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * A JSON log line whose string values keep control characters as `\u00XX` escapes once
 * parsed again (pino-pretty parses the JSON before printing): the escape is doubled, and the
 * C1 range that JSON leaves raw is escaped too.
 */
export function escapeJsonLineForTerminal(json: string): string {
  return json
    .replace(/(?<!\\)((?:\\\\)*)\\u(00[01][0-9a-fA-F]|007[fF])/g, '$1\\\\u$2')
    .replace(/(?<!\\)((?:\\\\)*)\\([bfr])/g, '$1\\\\$2')
    .replace(/[\u0080-\u009f]/g, (ch) => `\\\\u00${ch.charCodeAt(0).toString(16)}`);
}
