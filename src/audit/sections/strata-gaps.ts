import type { StratumSupply } from '../strata-supply.js';

/**
 * What to do about strata short of their target: a stratum that used its whole reserve needs
 * more discovery (how much, at its yield); one with reserve left needs the back-fill to run.
 */
export function strataGapRecommendations(supply: readonly StratumSupply[]): string[] {
  const out: string[] = [];
  for (const s of supply) {
    if (s.gap === 0) continue;
    const at = `${s.effective} effective rows of its target ${s.target}`;
    const yieldText = s.yield === null ? 'no rows yet' : `yield ${(s.yield * 100).toFixed(0)}%`;
    if (s.reserve === null || s.reserve === 0)
      out.push(
        `Stratum ${s.stratum} has ${at}${s.reserve === 0 ? ' and no reserve' : ''}: ` +
          `discover about ${s.more_discovery_needed} more repositories (${yieldText}).`,
      );
    else if (s.reserve_exhausted)
      out.push(
        `Stratum ${s.stratum} ran out of reserve (${s.reserve_used} of ${s.reserve} used) at ${at}: ` +
          `discover about ${s.more_discovery_needed} more repositories at its ${yieldText} ` +
          '(more or broader queries, or a larger reserve_factor if discovery found more than it kept).',
      );
    else
      out.push(
        `Stratum ${s.stratum} has ${at} and ${s.reserve - (s.reserve_used ?? 0)} reserve rows not scanned: ` +
          'run the back-fill (`scan --resume`, back-fill on).',
      );
  }
  return out;
}
