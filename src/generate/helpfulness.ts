import type { Random } from './random.ts';
import type { Tone } from './review-text.ts';
import { binomial } from './distributions.ts';

/** What readers reward when they vote a review helpful. */
export interface HelpfulnessSignals {
  readonly bodyLength: number;
  readonly verified: boolean;
  readonly imageCount: number;
  readonly tone: Tone;
  /** Text contradicts the rating (sarcasm, wrong star): readers notice and vote it down. */
  readonly inconsistent: boolean;
}

/** How many readers saw the review: popular products and older reviews get more votes. */
export interface Exposure {
  readonly productRank: number;
  readonly ageDays: number;
}

export interface Votes {
  readonly helpful: number;
  readonly total: number;
}

const NO_VOTES: Votes = { helpful: 0, total: 0 };

/** 0..1: long, verified, illustrated reviews with a measured tone are the useful ones. */
export function reviewMerit(signals: HelpfulnessSignals): number {
  if (signals.bodyLength === 0) return 0.01;
  let merit = 0.05 + 0.45 * Math.sqrt(Math.min(1, signals.bodyLength / 1500));
  if (signals.verified) merit += 0.12;
  if (signals.imageCount > 0) merit += 0.09 + 0.03 * signals.imageCount;
  if (Math.abs(signals.tone) <= 1) merit += 0.12;
  if (signals.inconsistent) merit -= 0.1;
  return Math.min(1, Math.max(0.01, merit));
}

/** Most reviews never get a vote; the rest get a heavy-tailed count, the helpful share following merit. */
export function drawVotes(random: Random, merit: number, exposure: Exposure): Votes {
  const popularity = 1 + 1 / (1 + exposure.productRank / 25);
  const maturity = 0.2 + 0.8 * Math.min(1, exposure.ageDays / 365);
  const chanceOfAnyVote = Math.min(0.9, 0.03 + 0.5 * merit * maturity * popularity);
  if (!random.chance(chanceOfAnyVote)) return NO_VOTES;
  const total = Math.min(50_000, 1 + Math.floor(random.logNormal(0.2 + 2.5 * merit + Math.log(popularity), 1)));
  const helpfulShare = Math.min(0.98, Math.max(0.02, 0.1 + 0.85 * merit + 0.1 * random.normal()));
  return { helpful: binomial(random, total, helpfulShare), total };
}
