import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import { countLoc, sensitiveKinds } from '../../src/scanner/parse/python-facts.js';

/** The definitions the fast versions must keep. */
function countLocBySplit(source: string): number {
  return source.split('\n').filter((line) => {
    const t = line.trim();
    return t !== '' && !t.startsWith('#');
  }).length;
}

const SENSITIVE_BY_KIND: [string, RegExp][] = [
  [
    'personal',
    /\b(?:email_address|phone_number|ssn|social_security|date_of_birth|passport_number|home_address|personal_data|pii)\b/i,
  ],
  [
    'financial',
    /\b(?:credit_card|card_number|iban|account_number|bank_account|routing_number|transaction_amount|payment_method)\b/i,
  ],
  ['health', /\b(?:patient|diagnosis|medical_record|health_record|prescription|hipaa)\b/i],
];

// White space trim() strips and characters it does not (U+0085, U+180E, U+200B), line breaks,
// comments, words and their neighbours.
const PIECES = [
  ' ',
  '\t',
  '\r',
  '\v',
  '\f',
  '\n',
  '\n',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u0085',
  '\u180e',
  '\u200b',
  '#',
  '# x',
  'x = 1',
  'é',
  'PII',
  'iban',
  'Patient',
  'patients',
  '_ssn',
  'email_address',
  'credit_card',
  'hipaa',
  '2',
  '.',
];

function randomSource(random: () => number): string {
  let s = '';
  const length = Math.floor(random() * 60);
  for (let i = 0; i < length; i++) s += PIECES[Math.floor(random() * PIECES.length)];
  return s;
}

describe('reading a source text', () => {
  it('counts lines of code as splitting and trimming every line does, on random text', () => {
    const random = mulberry32(20261207);
    let counted = 0;
    for (let i = 0; i < 20_000; i++) {
      const source = randomSource(random);
      const expected = countLocBySplit(source);
      expect(countLoc(source), JSON.stringify(source)).toBe(expected);
      counted += expected;
    }
    expect(counted).toBeGreaterThan(10_000);
  });

  it("finds the kinds of sensitive data that each kind's words give, on random text", () => {
    const random = mulberry32(7);
    let found = 0;
    for (let i = 0; i < 20_000; i++) {
      const source = randomSource(random);
      const expected = SENSITIVE_BY_KIND.filter(([, words]) => words.test(source)).map(([kind]) => kind);
      expect(sensitiveKinds(source), JSON.stringify(source)).toEqual(expected);
      found += expected.length;
    }
    expect(found).toBeGreaterThan(5_000);
  });
});
