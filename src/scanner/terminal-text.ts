/**
 * Text from a repository made safe for a terminal: control characters (escape sequences,
 * newlines, carriage returns), C1 controls and the Unicode format characters that reorder or
 * hide text (bidirectional overrides, zero-width) are written as visible escapes.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
