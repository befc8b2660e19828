import { ARCHITECTURE_RULES } from './architecture.js';
import { OPERATIONAL_RULES } from './operational.js';
import type { Rule } from './rule.js';
import { SECURITY_RULES } from './security.js';

/** Every finding rule, by family (one module per family). Ids are stable and unique. */
export const RULES: readonly Rule[] = [...SECURITY_RULES, ...OPERATIONAL_RULES, ...ARCHITECTURE_RULES];
