import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../src/core/config.js';
import { displayUrl, REDACTED, redact } from '../../src/core/redact.js';

describe('redact', () => {
  it('removes known secrets, URL credentials and token-shaped strings', () => {
    const text =
      'token s3cr3t-value at https://user:pw@example.test/x and ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const out = redact(text, ['s3cr3t-value']);
    expect(out).not.toContain('s3cr3t-value');
    expect(out).not.toContain('user:pw');
    expect(out).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
    expect(out.split(REDACTED).length - 1).toBe(3);
  });

  it('strips user-info from URLs for display', () => {
    expect(displayUrl('https://u:p@host.test/a.git')).toBe('https://host.test/a.git');
  });

  it('collects every secret of the config, including the Redis password', () => {
    const config = loadConfig({
      GITHUB_TOKEN: 'tok-1234',
      GITHUB_TOKENS: 'tok-a1,tok-b2',
      REDIS_URL: 'redis://:hunter22@127.0.0.1:6379',
    });
    expect(secretValues(config)).toEqual(
      expect.arrayContaining(['tok-1234', 'tok-a1', 'tok-b2', 'hunter22']),
    );
  });

  it('fails fast naming the setting on a bad value', () => {
    expect(() => loadConfig({ STRATUM_MAX_ATTEMPTS: 'many' })).toThrow(/STRATUM_MAX_ATTEMPTS/);
  });
});

// Each credential shape a log line may carry, with the exact text a reader must see: the token
// gone whole (no tail left behind), the words around it intact.
describe('redact: every credential shape, whole, and nothing else', () => {
  const shapes: Array<[string, string]> = [
    ['classic GitHub token', `ghp_${'a1B2'.repeat(9)}`],
    ['GitHub OAuth token', `gho_${'Zz09'.repeat(6)}`],
    ['GitHub user-to-server token', `ghu_${'q'.repeat(20)}`],
    ['GitHub server-to-server token', `ghs_${'7'.repeat(36)}`],
    ['GitHub refresh token', `ghr_${'R'.repeat(24)}`],
    ['fine-grained GitHub token', `github_pat_11ABCDEFG0_${'x9'.repeat(30)}`],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['OpenAI key', `sk-${'A'.repeat(20)}`],
    ['OpenAI project key', `sk-proj-${'b_-'.repeat(10)}`],
    ['Anthropic key', `sk-ant-${'c'.repeat(40)}`],
    ['Slack bot token', 'xoxb-1234567890-abcdefghij'],
    ['Slack user token', 'xoxp-1234-5678-abcdefghijk'],
  ];
  for (const [what, token] of shapes) {
    it(`removes a ${what} and keeps the words around it`, () => {
      expect(redact(`before ${token} after`)).toBe(`before ${REDACTED} after`);
      expect(redact(`x=${token}`)).toBe(`x=${REDACTED}`);
    });
  }

  it('leaves text that only looks like the start of a credential alone', () => {
    const harmless = [
      'ghp_short',
      `ghx_${'a'.repeat(30)}`,
      'github_pat_tooshort',
      'AKIA123',
      'AKIAiosfodnn7example',
      'sk-short',
      'the sk-learn package',
      'xoxb-short',
      `xoxz-${'a'.repeat(20)}`,
      'mailto:someone@example.test',
      'see https://example.test/path@v2',
    ];
    for (const text of harmless) expect(redact(text), text).toBe(text);
  });

  it('removes user-info of any URL scheme, with or without a password, keeping the host', () => {
    const cases: Array<[string, string]> = [
      ['https://user:pw@example.test/a.git', `https://${REDACTED}@example.test/a.git`],
      ['git+ssh://deploy@host.test/r', `git+ssh://${REDACTED}@host.test/r`],
      ['redis://:hunter2@127.0.0.1:6379/0', `redis://${REDACTED}@127.0.0.1:6379/0`],
      ['rediss://default:p4ss@cache.test:6380', `rediss://${REDACTED}@cache.test:6380`],
      ['HTTPS://U:P@EXAMPLE.TEST', `HTTPS://${REDACTED}@EXAMPLE.TEST`],
      ['s3://AKID:secret/with:colon@bucket.test', `s3://${REDACTED}@bucket.test`],
    ];
    for (const [input, expected] of cases)
      expect(redact(`clone ${input} failed`), input).toBe(`clone ${expected} failed`);
  });

  it('removes user-info from a URL at the very start of the text', () => {
    expect(redact('https://u:p@example.test/x')).toBe(`https://${REDACTED}@example.test/x`);
  });

  it('scrubs every occurrence of each known secret, however it is embedded, but not values under 4 characters', () => {
    expect(redact('pw=abcd;again abcd;abcdabcd', ['abcd'])).toBe(
      `pw=${REDACTED};again ${REDACTED};${REDACTED}${REDACTED}`,
    );
    expect(redact('a short one: abc', ['abc', ''])).toBe('a short one: abc');
    expect(redact('two: one-secret two-secret', ['one-secret', 'two-secret'])).toBe(
      `two: ${REDACTED} ${REDACTED}`,
    );
  });

  it('displayUrl keeps everything but the user-info, and redacts what it cannot parse', () => {
    expect(displayUrl('https://u:p@host.test:8443/a/b.git?x=1')).toBe('https://host.test:8443/a/b.git?x=1');
    expect(displayUrl('https://only-user@host.test/r')).toBe('https://host.test/r');
    const token = `ghp_${'k'.repeat(36)}`;
    expect(displayUrl(`not a url ${token}`)).toBe(`not a url ${REDACTED}`);
  });
});
