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
