/**
 * Fits the helpfulness score's weights and votes prior on the FIT part of the shared Fine
 * Food reviews (split by product; the held-out part is never read) and prints the vars to
 * paste into project.yaml. Every feature comes from the shipped SQL: the project is built on
 * the reviews with masked votes (bench/scoring/real-data.ts), and the components are read from
 * gold.
 *
 *   1. Votes prior (votes_prior_mean, votes_prior_strength): the Beta prior that maximises the
 *      beta-binomial likelihood of the fit reviews' helpful / total votes (grid search), raised
 *      if needed so that 1/1 stays below 90/100.
 *   2. Content weights: a pairwise logistic ranking fit on the fit reviews with ≥ 5 votes —
 *      for every pair whose helpful shares differ by more than 0.1, the more helpful one should
 *      score higher — with non-negative weights (projected gradient descent, a small L2
 *      penalty). A component that (almost) does not vary over those reviews (standard
 *      deviation < 0.01, or fewer than 10 of them off its most common value) cannot be measured on them and keeps its prior weight: verified, images and recency (the shared data has no
 *      verified flag, no photos, and every review is years old), and sentiment consistency while
 *      (almost) no voted fit review is flagged. The measurable ones share what is left of 1.
 *   3. The votes weight: with each review showing a random 0–10 of its votes, the weight that
 *      maximises Spearman between the whole score and the share of all its votes.
 *
 * Deterministic. Usage: npx tsx bench/fit-score.ts [--server postgres://…]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOn } from './scoring/build-project.ts';
import { spearman } from './scoring/metrics.ts';
import { fineFoodReviews, maskVotes, productParts, writeDataSet } from './scoring/real-data.ts';

/** The weights before any fit (the content part sums to 1); kept for what the data cannot measure. */
const PRIOR: Record<string, number> = { substance: 0.25, verified: 0.1, images: 0.08, recency: 0.07, sentiment: 0.1, agreement: 0.4, consensus: 0.2 };
/** A component must take another value than its most common one on this many voted fit reviews to be fitted. */
const MIN_OFF_MODE = 10;
const VAR_NAMES: Record<string, string> = {
  substance: 'score_weight_substance', verified: 'score_weight_verified', images: 'score_weight_images',
  recency: 'score_weight_recency', sentiment: 'score_weight_sentiment_consistency', agreement: 'score_weight_agreement', consensus: 'score_weight_consensus',
};

function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}
/** Lanczos approximation, ample for a likelihood comparison. */
function lnGamma(z: number): number {
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  z -= 1;
  let x = c[0]!;
  for (let i = 1; i < g + 2; i++) x += c[i]! / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}

async function main(): Promise<void> {
  const server = process.argv.find((_, i) => process.argv[i - 1] === '--server');
  const reviews = await fineFoodReviews();
  const parts = productParts(reviews);
  const fitIds = new Set(reviews.filter((r) => parts.get(r.productId) === 'fit').map((r) => r.reviewId));
  const truth = new Map(reviews.map((r) => [r.reviewId, r]));

  // 1. The votes prior.
  const voted = reviews.filter((r) => fitIds.has(r.reviewId) && r.totalVotes > 0);
  let best = { mean: 0, strength: 0, ll: -Infinity };
  for (let m = 0.5; m <= 0.95 + 1e-9; m += 0.01) {
    for (let s = 0.5; s <= 30 + 1e-9; s += 0.5) {
      const a = m * s, b = (1 - m) * s;
      const ll = voted.reduce((acc, r) => acc + lnBeta(r.helpfulVotes + a, r.totalVotes - r.helpfulVotes + b) - lnBeta(a, b), 0);
      if (ll > best.ll) best = { mean: Math.round(m * 100) / 100, strength: s, ll };
    }
  }
  const bound = 10 / (89 - 99 * best.mean);
  const strength = best.strength > bound ? best.strength : Math.ceil(bound * 2 + 1e-9) / 2;
  console.log(`votes prior: the beta-binomial likelihood of ${voted.length} voted fit reviews peaks at mean ${best.mean}, strength ${best.strength}` +
    (strength !== best.strength ? `; raised to ${strength} so 1/1 stays below 90/100 (needs > ${bound.toFixed(2)})` : ` (1/1 < 90/100 needs > ${bound.toFixed(2)}: holds)`));

  // The shipped SQL's components, on the reviews with masked votes.
  const work = mkdtempSync(join(tmpdir(), 'strata-fit-'));
  let rows: { id: number; votes: number; c: Record<string, number> }[];
  try {
    await writeDataSet(work, maskVotes(reviews));
    const built = await buildOn(work, { ...(server ? { server } : {}), vars: `{votes_prior_mean: ${best.mean}, votes_prior_strength: ${strength}}` });
    try {
      const q = await built.query<Record<string, string>>(`
        select f.review_id, f.votes_component, f.substance_component, f.verified_component, f.images_component,
               f.recency_component, f.sentiment_component, k.agreement_component, k.consensus_component
        from gold.fact_reviews f join gold.review_rank k using (review_id)`);
      rows = q.map((r) => ({
        id: Number(r.review_id),
        votes: Number(r.votes_component),
        c: {
          substance: Number(r.substance_component), sentiment: Number(r.sentiment_component), agreement: Number(r.agreement_component), consensus: Number(r.consensus_component),
          verified: Number(r.verified_component), images: Number(r.images_component), recency: Number(r.recency_component),
        },
      }));
    } finally {
      await built.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const fit5 = rows.filter((r) => fitIds.has(r.id) && truth.get(r.id)!.totalVotes >= 5);
  const ratio = (r: { id: number }): number => { const t = truth.get(r.id)!; return t.helpfulVotes / t.totalVotes; };

  // 2. Pairwise logistic ranking with non-negative weights, on the measurable components.
  const spread = (k: string): number => {
    const xs = fit5.map((r) => r.c[k]!);
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
  };
  // A handful of reviews away from a component's usual value is noise, not a measurement
  // (e.g. the one or two flagged reviews among the voted ones).
  const offMode = (k: string): number => {
    const counts = new Map<number, number>();
    for (const r of fit5) counts.set(r.c[k]!, (counts.get(r.c[k]!) ?? 0) + 1);
    return fit5.length - Math.max(...counts.values());
  };
  const measurable = Object.keys(PRIOR).filter((k) => spread(k) >= 0.01 && offMode(k) >= MIN_OFF_MODE);
  const diffs: number[][] = [];
  for (const a of fit5) for (const b of fit5) if (ratio(a) > ratio(b) + 0.1) diffs.push(measurable.map((k) => a.c[k]! - b.c[k]!));
  let w = measurable.map(() => 1);
  const lambda = 1e-3;
  for (let it = 0; it < 3000; it++) {
    const grad = measurable.map((_, j) => lambda * 2 * w[j]!);
    for (const d of diffs) {
      const z = d.reduce((s, x, j) => s + x * w[j]!, 0);
      const g = -1 / (1 + Math.exp(z)) / diffs.length;
      d.forEach((x, j) => (grad[j]! += g * x));
    }
    w = w.map((v, j) => Math.max(0, v - 2 * grad[j]!));
  }
  const weights: Record<string, number> = {};
  for (const k of Object.keys(PRIOR)) if (!measurable.includes(k)) weights[k] = PRIOR[k]!;
  const share = 1 - Object.values(weights).reduce((s, v) => s + v, 0);
  const total = w.reduce((s, v) => s + v, 0);
  measurable.forEach((k, j) => (weights[k] = Math.round((share * w[j]!) / total * 1000) / 1000));
  const content = (r: (typeof rows)[number]): number => Object.entries(weights).reduce((s, [k, v]) => s + v * r.c[k]!, 0);
  console.log(`content weights from ${diffs.length} ordered pairs of ${fit5.length} fit reviews with ≥ 5 votes:`);
  for (const k of Object.keys(PRIOR)) {
    console.log(`  ${k.padEnd(10)} ${weights[k]!.toFixed(3)}   ${measurable.includes(k) ? `fitted (alone: Spearman ${spearman(fit5.map((r) => r.c[k]!), fit5.map(ratio)).toFixed(3)})` : `prior (standard deviation ${spread(k).toFixed(4)}, ${offMode(k)} reviews off its usual value over the voted fit reviews: not measurable here)`}`);
  }
  console.log(`  content score on the fit part: Spearman ${spearman(fit5.map(content), fit5.map(ratio)).toFixed(3)}`);

  // 3. The votes weight, from the masked-votes experiment.
  let bestVotes = { weight: 0, rho: -Infinity };
  for (let v = 0; v <= 6 + 1e-9; v += 0.1) {
    const rho = spearman(fit5.map((r) => v * r.votes + content(r)), fit5.map(ratio));
    if (rho > bestVotes.rho + 1e-9) bestVotes = { weight: Math.round(v * 10) / 10, rho };
  }
  console.log(`votes weight: ${bestVotes.weight} (masked votes, whole score Spearman ${bestVotes.rho.toFixed(3)} on the fit part; votes alone ${spearman(fit5.map((r) => r.votes), fit5.map(ratio)).toFixed(3)})`);

  console.log('\nproject.yaml vars:');
  const line = (k: string, v: number): string => `  ${k}: ${v}`;
  console.log([
    line('score_weight_votes', bestVotes.weight),
    ...Object.keys(PRIOR).map((k) => line(VAR_NAMES[k]!, weights[k]!)),
    line('votes_prior_mean', best.mean),
    line('votes_prior_strength', strength),
  ].join('\n'));
}

await main();
