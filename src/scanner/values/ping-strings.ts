import { looksLikeCredential } from './credential-shape.js';

/** Longest repository-derived string a ping carries (a model id, a version). */
export const MAX_PING_VALUE_CHARS = 120;
/** Most repository-derived strings in one ping list (llm_models): far more than any real repository names. */
export const MAX_PING_LIST_ITEMS = 1000;

/** A repository-derived value fit for a ping: short and not shaped like a credential; else null. */
export function pingValue(value: string | null): string | null {
  if (value === null || value.length > MAX_PING_VALUE_CHARS || looksLikeCredential(value)) return null;
  return value;
}

/** The values fit for a ping, in their order, at most MAX_PING_LIST_ITEMS of them. */
export function pingValues(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (pingValue(v) === null) continue;
    out.push(v);
    if (out.length >= MAX_PING_LIST_ITEMS) break;
  }
  return out;
}
