import { describe, expect, it } from 'vitest';
import { isLocalAddress, judgeRepoUrl } from '../../src/workers/clone/repo-url.js';

const P = 8443;

/** URLs whose host is local in some disguise: refused when local URLs are off. */
const LOCAL_HOSTS: Array<[string, RegExp]> = [
  [`https://127.0.0.1:${P}/a/b.git`, /is local \(loopback\)/],
  [`https://127.0.0.2:${P}/a/b.git`, /loopback/],
  [`https://127.1:${P}/a/b.git`, /loopback/],
  [`https://2130706433:${P}/a/b.git`, /loopback/], // decimal
  [`https://0x7f000001:${P}/a/b.git`, /loopback/], // hex
  [`https://0x7f.0.0.1:${P}/a/b.git`, /loopback/],
  [`https://0177.0.0.1:${P}/a/b.git`, /loopback/], // octal
  [`https://017700000001:${P}/a/b.git`, /loopback/],
  [`https://%31%32%37.0.0.1:${P}/a/b.git`, /loopback/], // percent-escaped
  [`https://\uff11\uff12\uff17.0.0.1:${P}/a/b.git`, /loopback/], // full-width digits
  [`https://127.0.0.1.:${P}/a/b.git`, /loopback/], // trailing dot
  [`https://localhost:${P}/a/b.git`, /loopback/],
  [`https://localhost.:${P}/a/b.git`, /loopback/],
  [`https://LOCALHOST..:${P}/a/b.git`, /loopback/],
  [`https://evil.localhost:${P}/a/b.git`, /loopback/],
  [`https://0.0.0.0:${P}/a/b.git`, /unspecified/],
  [`https://0:${P}/a/b.git`, /unspecified/],
  [`https://[::]:${P}/a/b.git`, /unspecified/],
  [`https://[::1]:${P}/a/b.git`, /loopback/],
  [`https://[0:0:0:0:0:0:0:1]:${P}/a/b.git`, /loopback/],
  [`https://[::ffff:127.0.0.1]:${P}/a/b.git`, /ipv4Mapped/],
  [`https://[::ffff:7f00:1]:${P}/a/b.git`, /ipv4Mapped/],
  [`https://[::ffff:8.8.8.8]:${P}/a/b.git`, /ipv4Mapped/],
  [`https://[::127.0.0.1]:${P}/a/b.git`, /ipv4Compatible/],
  [`https://[64:ff9b::7f00:1]:${P}/a/b.git`, /rfc6052/], // NAT64
  [`https://[2002:7f00:1::1]:${P}/a/b.git`, /6to4/],
  [`https://[fe80::1]:${P}/a/b.git`, /linkLocal/],
  [`https://[fc00::1]:${P}/a/b.git`, /uniqueLocal/],
  [`https://[fd12:3456::1]:${P}/a/b.git`, /uniqueLocal/],
  [`https://[ff02::1]:${P}/a/b.git`, /multicast/],
  [`https://10.0.0.1/a/b.git`, /private/],
  [`https://172.16.5.4/a/b.git`, /private/],
  [`https://192.168.1.1/a/b.git`, /private/],
  [`https://169.254.169.254/a/b.git`, /linkLocal/], // cloud metadata
  [`https://100.64.0.1/a/b.git`, /carrierGradeNat/],
  [`https://224.0.0.1/a/b.git`, /multicast/],
  [`https://255.255.255.255/a/b.git`, /broadcast/],
  [`https://192.0.2.1/a/b.git`, /reserved/],
  [`http://127.0.0.1:${P}/a/b.git`, /is local/],
  [`git://127.0.0.1:${P}/a/b.git`, /is local/],
  ['file:///tmp/a/b.git', /file:\/\/ is local/],
];

/** URLs refused whatever the setting: ambiguous to parsers, or never a repository URL. */
const ALWAYS_REFUSED: Array<[string, RegExp]> = [
  [`https://github.com\\@127.0.0.1:${P}/a/b.git`, /backslash/],
  [`https://github.com\\\\@127.0.0.1:${P}/a/b.git`, /backslash/],
  [`https:\\\\127.0.0.1:${P}\\a\\b.git`, /backslash/],
  [`https://github.com@127.0.0.1:${P}/a/b.git`, /credentials/],
  [`https://x:y@github.com/a/b.git`, /credentials/],
  [`https://@github.com/a/b.git`, /credentials/],
  [`https://github.com%40127.0.0.1/a/b.git`, /not a URL/],
  [`https://github.com/a/b.git?x=@127.0.0.1`, /query or a fragment/],
  [`https://github.com/a/b.git#@127.0.0.1`, /query or a fragment/],
  [`https://github.com /a/b.git`, /whitespace/],
  [`https://github.com/a/b.git\n`, /whitespace|control/],
  [`https://github.com\t/a/b.git`, /whitespace|control/],
  [`https://github.com\u00a0/a/b.git`, /whitespace/],
  [`https://github.com/-upload-pack=x/b`, /starting with '-'/],
  ['ext::sh -c touch% /tmp/pwned', /whitespace|not a URL|scheme/],
  ['ssh://github.com/a/b', /scheme ssh/],
  ['git@github.com:a/b.git', /not a URL|scheme/],
  ['https://[fe80::1%25eth0]/a/b.git', /not a URL/],
  ['file://server/share/a.git', /names a host/],
  ['http://github.com/a/b.git', /scheme http/],
  ['', /missing/],
];

describe('repo_url judged as git reads it', () => {
  it.each(LOCAL_HOSTS)('refuses %s with local URLs off', (url, why) => {
    const judged = judgeRepoUrl(url, false);
    expect(judged.ok).toBe(false);
    if (!judged.ok) expect(judged.problem).toMatch(why);
  });

  it.each(ALWAYS_REFUSED)('refuses %s whatever the setting', (url, why) => {
    for (const allow of [false, true]) {
      const judged = judgeRepoUrl(url, allow);
      expect(judged.ok).toBe(false);
      if (!judged.ok) expect(judged.problem).toMatch(why);
    }
  });

  it.each([
    [`https://2130706433:${P}/a/b.git`, `https://127.0.0.1:${P}/a/b.git`],
    [`https://0x7f.1:${P}/a/b.git`, `https://127.0.0.1:${P}/a/b.git`],
    [`https://localhost.:${P}/a/b.git`, `https://localhost:${P}/a/b.git`],
    [`https://[::ffff:127.0.0.1]:${P}/a/b.git`, `https://[::ffff:7f00:1]:${P}/a/b.git`],
    [`http://127.0.0.1:${P}/a/b.git`, `http://127.0.0.1:${P}/a/b.git`],
    ['file:///tmp/x/../a.git', 'file:///tmp/a.git'],
  ])('with local URLs on, hands git %s rebuilt as %s', (url, rebuilt) => {
    const judged = judgeRepoUrl(url, true);
    expect(judged.ok && judged.judged.url).toBe(rebuilt);
  });

  it.each([
    ['https://github.com/acme/agents.git', 'https://github.com/acme/agents.git'],
    ['https://GitHub.COM./acme/Agents.git', 'https://github.com/acme/Agents.git'],
    ['https://github.com:443/acme/agents', 'https://github.com/acme/agents'],
    ['https://github.com:8443/acme/agents', 'https://github.com:8443/acme/agents'],
    ['https://140.82.112.3/acme/agents.git', 'https://140.82.112.3/acme/agents.git'],
    ['https://[2606:4700::1111]/acme/agents.git', 'https://[2606:4700::1111]/acme/agents.git'],
    ['https://github.com/acme/a%20b', 'https://github.com/acme/a%20b'],
  ])('accepts the public %s and hands git %s', (url, rebuilt) => {
    const judged = judgeRepoUrl(url, false);
    expect(judged.ok && judged.judged.url).toBe(rebuilt);
    if (judged.ok) expect(judged.judged.local).toBeUndefined();
  });

  it('the rebuilt URL judges the same as the original (a fixed point)', () => {
    for (const [url] of [...LOCAL_HOSTS]) {
      const first = judgeRepoUrl(url, true);
      if (!first.ok) continue;
      const again = judgeRepoUrl(first.judged.url, true);
      expect(again.ok && again.judged).toEqual(first.judged);
    }
  });

  it('judges resolved addresses by range', () => {
    expect(isLocalAddress('127.0.0.1')).toBe('loopback');
    expect(isLocalAddress('::1')).toBe('loopback');
    expect(isLocalAddress('::ffff:127.0.0.1')).toBe('ipv4Mapped');
    expect(isLocalAddress('10.1.1.1')).toBe('private');
    expect(isLocalAddress('140.82.112.3')).toBeUndefined();
    expect(isLocalAddress('nonsense')).toBe('invalid');
  });
});
