import type { Random } from './random.ts';

/**
 * Share of review rows that are dirty on purpose, for silver to catch and explain:
 * about 1.4% in all. Each kind is drawn independently per clean review.
 */
export const DIRTY_RATES = {
  /** The same buyer submits the same review again a little later (a double submit). */
  duplicate: 0.007,
  /** Body is NULL, empty or whitespace only. */
  blankBody: 0.004,
  /** Rating outside 1..5, as a buggy client once wrote them. */
  outOfRangeRating: 0.003,
} as const;

const BLANK_BODIES: readonly (string | null)[] = ['', ' ', '   ', '\n', '\t', ' \r\n ', null];
const OUT_OF_RANGE_RATINGS: readonly number[] = [0, 6, -1];

export function blankBody(random: Random): string | null {
  return random.pick(BLANK_BODIES);
}

export function outOfRangeRating(random: Random): number {
  return random.pick(OUT_OF_RANGE_RATINGS);
}
