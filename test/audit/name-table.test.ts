import { describe, expect, it } from 'vitest';
import { NameTable } from '../../src/audit/name-table.js';

describe('NameTable', () => {
  it('numbers names in first-seen order and finds each again, across growth', () => {
    const t = new NameTable();
    const names = Array.from({ length: 50_000 }, (_, i) => `org-${i % 997}/repo-${i}`);
    names.push('ünïcödé/😀', '', 'a'.repeat(5_000));
    for (const [i, n] of names.entries()) expect(t.add(n)).toBe(i);
    expect(t.size).toBe(names.length);
    // Adding again returns the same id and does not grow.
    expect(t.add('org-5/repo-5')).toBe(5);
    expect(t.size).toBe(names.length);
    for (let i = 0; i < names.length; i += 97) {
      expect(t.find(names[i] as string)).toBe(i);
      expect(t.name(i)).toBe(names[i]);
    }
    expect(t.name(names.length - 2)).toBe('');
    expect(t.name(names.length - 3)).toBe('ünïcödé/😀');
    expect(t.find('org-0/repo-50000')).toBe(-1);
    expect(t.find('org-5/repo-')).toBe(-1);
    expect(() => t.name(names.length)).toThrow(RangeError);
  });
});
