import { conformanceSection } from './conformance.js';
import { coverageSection } from './coverage.js';
import { duplicatesSection } from './duplicates.js';
import { findingsSection } from './findings.js';
import { frameworksSection } from './frameworks.js';
import { gatesSection } from './gates.js';
import { maturitySection } from './maturity.js';
import { recommendationsSection } from './recommendations.js';
import { scoresSection } from './scores.js';
import { strataSection } from './strata.js';
import type { Section } from './types.js';
import { volumeSection } from './volume.js';

export type { Section, SectionContext, SectionOutput } from './types.js';

/** The report's sections, in report order; `--section` accepts exactly these ids. */
export const SECTIONS: readonly Section[] = [
  volumeSection,
  conformanceSection,
  frameworksSection,
  scoresSection,
  findingsSection,
  maturitySection,
  duplicatesSection,
  coverageSection,
  strataSection,
  gatesSection,
  recommendationsSection,
];

export const SECTION_IDS: readonly string[] = SECTIONS.map((s) => s.id);

export function findSection(id: string): Section | undefined {
  return SECTIONS.find((s) => s.id === id);
}
