import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { oneLine } from '../../src/core/command.js';
import { createLogger } from '../../src/core/logger.js';
import { escapeJsonLineForTerminal, escapeLine, escapeText } from '../../src/core/terminal-text.js';

const HOSTILE = 'evil/\x1b]0;pwned\x07\x1b[31mred\x9b2J\rover\bx\u0000';

describe('text from input never drives the terminal', () => {
  it('escapeLine shows every control character (C0, DEL, C1, newlines) as a visible escape', () => {
    expect(escapeLine(HOSTILE)).toBe('evil/\\x1b]0;pwned\\x07\\x1b[31mred\\x9b2J\\rover\\x08x\\x00');
    expect(escapeLine('a\nb\tc')).toBe('a\\nb\\tc');
    expect(escapeLine('plain ünïcode → ok')).toBe('plain ünïcode → ok');
  });

  it('escapeText keeps line breaks and tabs, escapes the rest', () => {
    expect(escapeText('a\nb\tc\x1b[2J')).toBe('a\nb\tc\\x1b[2J');
  });

  it('a JSON log line keeps its escapes through a second parse, and stays valid JSON', () => {
    const json = JSON.stringify({ reason: HOSTILE, path: 'C:\\\\u001b' });
    const escaped = escapeJsonLineForTerminal(json);
    const parsed = JSON.parse(escaped) as { reason: string; path: string };
    expect(parsed.reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(parsed.reason).toContain('\\u001b]0;pwned\\u0007');
    // A backslash that was already text is left alone.
    expect(parsed.path).toBe('C:\\\\u001b');
  });

  it('the human-readable logger prints hostile values escaped', () => {
    let out = '';
    const destination = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const logger = createLogger('t', { pretty: true, destination });
    logger.warn({ reason: HOSTILE }, `manifest line skipped: ${HOSTILE}`);
    expect(out).toContain('pwned');
    expect(out).not.toContain('\x1b]0;');
    expect(out).not.toContain('\x07');
    expect(out).not.toContain('\x9b');
    expect(out).not.toContain('\r');
  });

  it('on a terminal each log entry is one line that first clears a progress bar from the line', () => {
    let out = '';
    const destination = Object.assign(
      new Writable({
        write(chunk, _enc, cb) {
          out += String(chunk);
          cb();
        },
      }),
      { isTTY: true },
    );
    const logger = createLogger('scan', { destination });
    logger.info(
      { job: 'j1', repo: 'o/r', attempt: 1, status: 'failed', reason: 'clone_timeout', ms: 5 },
      'failed',
    );
    logger.info({ job: 'j2', repo: 'o/s', attempt: 1 }, 'second');
    const entries = out.split('\n').filter(Boolean);
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.startsWith('\r\x1b[K'))).toBe(true);
    expect(entries[0]).toMatch(/failed.*o\/r.*clone_timeout/);
  });

  it('an error that lists many problems is one line: the first problem and a count', () => {
    const message = `invalid strata file x.yaml:\n${Array.from({ length: 50 }, (_, i) => `x.yaml:${i}: bad`).join('\n')}`;
    expect(oneLine(message)).toBe('invalid strata file x.yaml: x.yaml:0: bad (+49 more)');
    expect(oneLine('a'.repeat(1000)).length).toBeLessThanOrEqual(401);
  });
});
