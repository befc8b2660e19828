import { describe, expect, it } from 'vitest';
import { jobIdFor, type ScanJobData } from '../../src/workers/job-data.js';
import { rowProblem } from '../../src/workers/row-check.js';

function row(name: string, url: string): ScanJobData {
  return { repo_full_name: name, repo_url: url, repo_hash: 'h', selection_stratum: 's', github_size_kb: 1 };
}

describe('manifest row check', () => {
  it('accepts a plain GitHub https row', () => {
    expect(rowProblem(row('owner/name.py', 'https://github.com/owner/name.py'), false)).toBeUndefined();
  });

  it.each([
    ['-oProxyCommand=x/y', 'https://github.com/a/b', /GitHub owner\/name/],
    ['../../etc/passwd', 'https://github.com/a/b', /GitHub owner\/name/],
    ['owner/..', 'https://github.com/a/b', /reserved/],
    ['acme/\u0430gent', 'https://github.com/acme/agent', /GitHub owner\/name/], // Cyrillic look-alike
    ['acme\u2215agent', 'https://github.com/acme/agent', /GitHub owner\/name/], // division slash
    ['owner/name', '--upload-pack=touch /tmp/pwned', /starts with '-'/],
    ['owner/name', 'https://github.com/owner/-name', /starting with '-'/],
    ['owner/name', 'ssh://github.com/owner/name', /scheme ssh/],
    ['owner/name', 'http://github.com/owner/name', /scheme http/],
    ['owner/name', 'ext::sh -c touch% /tmp/pwned', /not a URL|scheme ext|whitespace/],
    ['owner/name', 'https://user:tok@github.com/owner/name', /credentials/],
    ['owner/name', 'file:///tmp/x.git', /is local/],
    ['owner/name', 'http://127.0.0.1:9/owner/name.git', /is local/],
    ['owner/name', 'https://localhost/owner/name.git', /is local/],
  ])('refuses %s %s', (name, url, why) => {
    expect(rowProblem(row(name, url), false)).toMatch(why);
  });

  it('keeps the message short for a 10 kB name', () => {
    const problem = rowProblem(row(`${'a'.repeat(10_240)}/x`, 'https://github.com/a/b'), false);
    expect(problem).toMatch(/GitHub owner\/name/);
    expect(problem!.length).toBeLessThan(400);
  });

  it('allows local URLs only when STRATUM_ALLOW_LOCAL_URLS is set', () => {
    expect(rowProblem(row('a/b', 'file:///tmp/a/b.git'), true)).toBeUndefined();
    expect(rowProblem(row('a/b', 'http://127.0.0.1:8080/a/b.git'), true)).toBeUndefined();
    expect(rowProblem(row('a/b', 'http://example.com/a/b.git'), true)).toMatch(/scheme http/);
  });

  it('takes a frozen commit only as a 40-hex commit id (never a ref or an option for git)', () => {
    const frozen = (head_sha: string) => ({ ...row('a/b', 'https://github.com/a/b'), head_sha });
    expect(rowProblem(frozen('0123456789abcdef0123456789abcdef01234567'), false)).toBeUndefined();
    for (const bad of ['main', '--upload-pack=touch /tmp/pwned', '0123456', 'g'.repeat(40), '', 'HEAD~1'])
      expect(rowProblem(frozen(bad), false), bad).toBe('head_sha is not a 40-hex commit id');
  });

  it('passes on a schema problem found by the producer', () => {
    expect(rowProblem({ ...row('a/b', 'https://github.com/a/b'), row_problem: 'line 3: bad' }, false)).toBe(
      'line 3: bad',
    );
  });
});

describe('job ids', () => {
  it('are readable, colon-free and not numeric for valid names', () => {
    expect(jobIdFor('owner/repo.name')).toBe('repo__owner__repo.name');
    expect(jobIdFor('123/456')).toBe('repo__123__456');
  });

  it('are distinct per repository and case', () => {
    const ids = ['a/b', 'A/b', 'a-b/c', 'a/b-c', 'a/b.c'].map(jobIdFor);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('hash hostile names instead of embedding them', () => {
    const id = jobIdFor('../../x:y');
    expect(id).toMatch(/^row__[0-9a-f]{24}$/);
    expect(jobIdFor('../../x:y')).toBe(id);
  });
});
