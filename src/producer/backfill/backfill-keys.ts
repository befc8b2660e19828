/** The Redis keys of the back-fill of one run (prefix = STRATUM_QUEUE_PREFIX). */
export interface BackfillKeys {
  /** Hash: run_id, sha, strata (JSON list), goal:<s>, primary:<s>, reserve:<s>, exhausted:<s>. */
  plan: string;
  /** List per stratum: the reserve rows' job data (JSON), in seeded reserve order. */
  reserve: (stratum: string) => string;
  /** Hash stratum → reserve rows released (decided); only the decide script raises it. */
  released: string;
  /** Hash stratum → reserve rows known to be queued (or written); raised after they are added. */
  enqueued: string;
  /** Hash `<stratum>|written`, `<stratum>|effective` (and `*|…` for the whole run). */
  outcome: string;
  /** Set of repositories already counted in `outcome` (the writer's counting is idempotent). */
  counted: string;
  /** List of decisions (JSON), newest last. */
  decisions: string;
  /** One producer at a time adds released rows to the queue. */
  lock: string;
}

export function backfillKeys(prefix: string): BackfillKeys {
  const k = (name: string) => `${prefix}:backfill:${name}`;
  return {
    plan: k('plan'),
    reserve: (stratum) => k(`reserve:${stratum}`),
    released: k('released'),
    enqueued: k('enqueued'),
    outcome: k('outcome'),
    counted: k('counted'),
    decisions: k('decisions'),
    lock: k('lock'),
  };
}

/**
 * Strata the back-fill tracks: names as the strata file allows them. A manifest is untrusted:
 * another name (`*`, `a|written`, megabytes) would collide with the counters' own fields or
 * bloat keys, so its rows are scanned as given but never back-filled or counted per stratum.
 */
export function isTrackedStratum(name: string): boolean {
  return /^[a-z][a-z0-9_]{0,63}$/.test(name);
}
