import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePingValidator } from '../../src/core/contract/index.js';
import { conformanceDir } from '../support/conformance.js';

/** Variants of a ping that break (or keep) each field in the ways a bad scanner would. */
function* variants(ping: Record<string, unknown>): Generator<[string, unknown]> {
  yield ['as is', ping];
  for (const [key, value] of Object.entries(ping)) {
    const without = { ...ping };
    delete without[key];
    yield [`without ${key}`, without];
    for (const bad of [null, 'x', -1, 1.5, true, [], {}])
      yield [`${key} = ${JSON.stringify(bad)}`, { ...ping, [key]: bad }];
    if (Array.isArray(value)) {
      yield [`${key} + 5`, { ...ping, [key]: [...value, 5] }];
      if (value.length) yield [`${key} + duplicate`, { ...ping, [key]: [...value, value[0]] }];
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const inner = { ...(value as Record<string, unknown>) };
        delete inner[k];
        yield [`${key} without ${k}`, { ...ping, [key]: inner }];
        for (const bad of [null, 'x', -1, 7.5])
          yield [`${key}.${k} = ${bad}`, { ...ping, [key]: { ...value, [k]: bad } }];
        if (Array.isArray(v)) yield [`${key}.${k} + 5`, { ...ping, [key]: { ...value, [k]: [...v, 5] } }];
      }
      yield [`${key}.unknown = 1`, { ...ping, [key]: { ...value, unknown_field: 1 } }];
    }
  }
}

describe('the fast ping validator (one function per nested property)', () => {
  it('accepts exactly what the reporting validator accepts, on every conformance ping and thousands of broken variants', {
    timeout: 240_000,
  }, () => {
    const fast = compilePingValidator(false);
    const full = compilePingValidator(true);
    const dir = conformanceDir();
    let accepted = 0;
    let rejected = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const ping = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
      for (const [what, value] of variants(ping)) {
        const expected = full(value);
        expect(fast(value), `${file}: ${what}`).toBe(expected);
        if (expected) accepted++;
        else rejected++;
      }
    }
    // Both outcomes are well represented, so the comparison means something.
    expect(accepted).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(5_000);
  });
});
