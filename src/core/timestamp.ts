/**
 * The one timestamp format of every row the pipeline writes (ping `timestamp`, quarantine
 * `quarantined_at`): ISO-8601 in UTC with milliseconds and an explicit offset,
 * `2026-12-06T14:40:20.123+00:00` (the contract asks for an offset; `Z` is not one).
 */
export function rowTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/Z$/, '+00:00');
}

const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A date-time written by someone else (a scanner) in the row format: the same instant, in UTC,
 * to the millisecond. Undefined when the text is not a date-time with an offset (a time
 * without one names no instant; the contract check reports it).
 */
export function toRowTimestamp(text: string): string | undefined {
  if (!DATE_TIME_WITH_OFFSET.test(text)) return undefined;
  // Date keeps milliseconds: cut longer fractions first so that nothing rounds up.
  const cut = text.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(cut.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : rowTimestamp(new Date(ms));
}
