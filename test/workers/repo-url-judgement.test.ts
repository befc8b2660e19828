import { describe, expect, it } from 'vitest';
import { judgeHost, judgeRepoUrl } from '../../src/workers/clone/repo-url.js';
import type { ScanJobData } from '../../src/workers/job-data.js';
import { judgeRow, rowProblem, urlProblem } from '../../src/workers/row-check.js';

// The exact verdict a manifest URL gets — the one line a user reads in the failed row, or the URL
// git is handed — for each rule of the judgement, with local URLs off (production) and on.

const LOCAL_HINT = 'set STRATUM_ALLOW_LOCAL_URLS=1 to allow it';

describe('repo_url verdicts, word for word', () => {
  const refused: Array<[string, boolean, string]> = [
    ['', true, 'repo_url is missing'],
    ['https://github.com/a/b\n', true, 'repo_url contains whitespace or control characters'],
    ['https://github.com\\@127.0.0.1/a/b', true, 'repo_url contains a backslash'],
    ['github.com/a/b', true, 'repo_url is not a URL'],
    ['https://user@github.com/a/b', false, 'repo_url must not carry credentials (user-info)'],
    ['https://:tok@github.com/a/b', false, 'repo_url must not carry credentials (user-info)'],
    ['ssh://github.com/a/b', true, 'repo_url scheme ssh is not allowed (https only)'],
    ['ftp://127.0.0.1/a/b', true, 'repo_url scheme ftp is not allowed (https only)'],
    ['https://github.com/a/b?x=1', false, 'repo_url must not have a query or a fragment'],
    ['https://github.com/a/b#readme', false, 'repo_url must not have a query or a fragment'],
    ['https://github.com/a/b?', false, 'repo_url must not have a query or a fragment'],
    ['https://github.com/a/b#', false, 'repo_url must not have a query or a fragment'],
    ['https://github.com/-u/b', false, "repo_url has a path segment starting with '-'"],
    ['https://github.com/a/--upload-pack=x', false, "repo_url has a path segment starting with '-'"],
    ['file:///tmp/x.git', false, `repo_url file:// is local; ${LOCAL_HINT}`],
    ['file://evil.example/tmp/x.git', true, 'repo_url file: URL names a host'],
    [
      'https://127.0.0.1:8443/a/b',
      false,
      `repo_url https://127.0.0.1:8443 is local (loopback); ${LOCAL_HINT}`,
    ],
    ['https://127.1/a/b', false, `repo_url https://127.0.0.1 is local (loopback); ${LOCAL_HINT}`],
    ['https://0x7f000001/a/b', false, `repo_url https://127.0.0.1 is local (loopback); ${LOCAL_HINT}`],
    ['https://10.1.2.3/a/b', false, `repo_url https://10.1.2.3 is local (private); ${LOCAL_HINT}`],
    ['https://[::1]:9/a/b', false, `repo_url https://[::1]:9 is local (loopback); ${LOCAL_HINT}`],
    ['https://localhost./a/b', false, `repo_url https://localhost is local (loopback); ${LOCAL_HINT}`],
    ['http://github.com/a/b', true, 'repo_url scheme http is not allowed (https only)'],
    ['git://github.com/a/b', true, 'repo_url scheme git is not allowed (https only)'],
  ];
  for (const [raw, allowLocal, problem] of refused) {
    it(`refuses ${JSON.stringify(raw)} (local URLs ${allowLocal ? 'on' : 'off'})`, () => {
      expect(judgeRepoUrl(raw, allowLocal)).toStrictEqual({ ok: false, problem });
      expect(urlProblem(raw, allowLocal)).toBe(problem);
    });
  }

  it('a file: URL becomes file:// plus its path, whatever host spelling of this machine it used', () => {
    const judged = { protocol: 'file:', host: '', port: '', hostKind: 'none', local: 'file' };
    for (const raw of [
      'file:///srv/git/a.git',
      'file://localhost/srv/git/a.git',
      'file://localhost../srv/git/a.git',
      'file:/srv/git/a.git',
    ])
      expect(judgeRepoUrl(raw, true), raw).toStrictEqual({
        ok: true,
        judged: { url: 'file:///srv/git/a.git', ...judged },
      });
  });

  it('a public https URL is handed on rebuilt from its parts: host lower case, no trailing dot, default port dropped', () => {
    expect(judgeRepoUrl('HTTPS://GitHub.COM.:443/Owner/Repo.git', false)).toStrictEqual({
      ok: true,
      judged: {
        url: 'https://github.com/Owner/Repo.git',
        protocol: 'https:',
        host: 'github.com',
        port: '',
        hostKind: 'name',
        local: undefined,
      },
    });
    expect(urlProblem('https://github.com/a/b', false)).toBeUndefined();
  });

  it('with local URLs on, loopback http and IPv6 hosts are handed on with their port and kind', () => {
    expect(judgeRepoUrl('http://127.0.0.1:8080/a/b.git', true)).toStrictEqual({
      ok: true,
      judged: {
        url: 'http://127.0.0.1:8080/a/b.git',
        protocol: 'http:',
        host: '127.0.0.1',
        port: '8080',
        hostKind: 'ipv4',
        local: 'loopback',
      },
    });
    expect(judgeRepoUrl('https://[::1]:9/a/b', true)).toStrictEqual({
      ok: true,
      judged: {
        url: 'https://[::1]:9/a/b',
        protocol: 'https:',
        host: '::1',
        port: '9',
        hostKind: 'ipv6',
        local: 'loopback',
      },
    });
  });
});

describe('host judgement', () => {
  it('names, addresses and what is refused', () => {
    expect(judgeHost('localhost')).toStrictEqual({
      ok: true,
      name: 'localhost',
      kind: 'name',
      local: 'loopback',
    });
    expect(judgeHost('api.localhost.')).toStrictEqual({
      ok: true,
      name: 'api.localhost',
      kind: 'name',
      local: 'loopback',
    });
    expect(judgeHost('GitHub.com..')).toStrictEqual({
      ok: true,
      name: 'github.com',
      kind: 'name',
      local: undefined,
    });
    expect(judgeHost('8.8.8.8')).toStrictEqual({ ok: true, name: '8.8.8.8', kind: 'ipv4', local: undefined });
    expect(judgeHost('[2001:4860::8888]')).toStrictEqual({
      ok: true,
      name: '2001:4860::8888',
      kind: 'ipv6',
      local: undefined,
    });
    expect(judgeHost('[::ffff:127.0.0.1]')).toMatchObject({ ok: true, kind: 'ipv6', local: 'ipv4Mapped' });
    expect(judgeHost('[zz::1]')).toStrictEqual({ ok: false, problem: 'repo_url has an invalid IPv6 host' });
    for (const empty of ['', '.', '...'])
      expect(judgeHost(empty), empty).toStrictEqual({ ok: false, problem: 'repo_url has no host' });
  });

  it('refuses a name that ends in a number but is no IPv4 address, and only those', () => {
    for (const name of ['12345', '1.2.3.4.5', 'a.55', 'a.0x', 'a.0x1f', 'host.0X1F'])
      expect(judgeHost(name), name).toStrictEqual({
        ok: false,
        problem: `repo_url host ${name.toLowerCase()} looks numeric but is not an IPv4 address`,
      });
    for (const name of ['a.1b.example', 'x1', 'a.0xg', 'node-1a', '1a'])
      expect(judgeHost(name), name).toMatchObject({ ok: true, kind: 'name' });
  });
});

describe('manifest row fields', () => {
  const row = (over: Partial<ScanJobData>): ScanJobData => ({
    repo_full_name: 'owner/name',
    repo_url: 'https://github.com/owner/name',
    repo_hash: 'h',
    selection_stratum: 'crewai',
    github_size_kb: 1,
    ...over,
  });

  it('names the field that is missing, starts with a dash or holds control characters', () => {
    expect(rowProblem(row({ selection_stratum: '' }), false)).toBe('selection_stratum is missing');
    expect(rowProblem(row({ selection_stratum: undefined as unknown as string }), false)).toBe(
      'selection_stratum is missing',
    );
    expect(rowProblem(row({ selection_stratum: '-x' }), false)).toBe("selection_stratum starts with '-'");
    expect(rowProblem(row({ selection_stratum: 'a\u001b[31m' }), false)).toBe(
      'selection_stratum contains control characters',
    );
    expect(rowProblem(row({ selection_stratum: 'a\u007f' }), false)).toBe(
      'selection_stratum contains control characters',
    );
    expect(rowProblem(row({ repo_url: '' }), false)).toBe('repo_url is missing');
    expect(rowProblem(row({ repo_url: '-https://github.com/a/b' }), false)).toBe("repo_url starts with '-'");
  });

  it("a problem the producer already found is the row's verdict", () => {
    expect(
      judgeRow(row({ row_problem: 'manifest line 3: github_stars must be integer' }), true),
    ).toStrictEqual({
      ok: false,
      problem: 'manifest line 3: github_stars must be integer',
    });
  });

  it('a good row is judged like its URL', () => {
    expect(rowProblem(row({}), false)).toBeUndefined();
    expect(judgeRow(row({}), false)).toMatchObject({
      ok: true,
      judged: { url: 'https://github.com/owner/name' },
    });
  });
});
