/**
 * Trains the learned sentiment lexicon (seeds/learned_sentiment.csv) on the FIT part of the
 * shared Fine Food reviews, stars as labels, and chooses how much it counts next to AFINN.
 *
 *   1. Tokens as the SQL model makes them (bench/scoring/tokens.ts); a word with a negator
 *      in the three words before it counts negatively, as in the model.
 *   2. Features: per review and word, the sign of its (negation-aware) occurrences; function
 *      words and negators left out; words in at least `MIN_REVIEWS` fit reviews.
 *   3. Ridge regression of the star rating on them (conjugate gradient), its penalty chosen by
 *      5-fold cross-validation grouped by product inside the fit part. A weight is "stars
 *      per occurrence of the word, all else equal".
 *   4. The blend var `learned_sentiment_weight` (valence points per star of learned weight):
 *      the value that maximises Pearson r on the FIT half of VADER's rated sentences, each
 *      measured by building the project (the shipped SQL) on them.
 *
 * Nothing here reads the held-out parts. Deterministic: same data, same output.
 * Usage: npx tsx bench/train-sentiment.ts [--server postgres://…] [--no-blend] [--min-weight W]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOn } from './scoring/build-project.ts';
import { pearson } from './scoring/metrics.ts';
import { fineFoodReviews, productParts, ratedSentences, REPO, sentencesAsReviews, writeDataSet } from './scoring/real-data.ts';
import { NEGATORS, tokens } from './scoring/tokens.ts';

const MIN_REVIEWS = 3;
/** Weights smaller than this are left out of the seed: they move no score, and every lexicon word costs a join hit. */
const MIN_WEIGHT = Number(process.argv.find((_, i) => process.argv[i - 1] === '--min-weight') ?? 0.05);
const PENALTIES = [10, 30, 100, 300, 1000];
const BLENDS = [0, 1, 2, 3, 4, 6, 8];
const STOP_WORDS = new Set(
  ('the a an and or of to in on for with is are was were be been being it its this that these those i my me we our us you your ' +
    'they them their he she his her him am at as by from so if then than there here what which who whom do does did have has had ' +
    'will would can could should may might just also').split(' '),
);
const NEGATOR_SET = new Set(NEGATORS);

type Doc = Map<number, number>;

function conjugateGradient(apply: (v: Float64Array) => Float64Array, b: Float64Array, iterations = 500, tolerance = 1e-10): Float64Array {
  const x = new Float64Array(b.length);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = r.reduce((a, v) => a + v * v, 0);
  for (let it = 0; it < iterations && rr > tolerance; it++) {
    const ap = apply(p);
    const alpha = rr / p.reduce((a, v, i) => a + v * ap[i]!, 0);
    for (let i = 0; i < x.length; i++) { x[i]! += alpha * p[i]!; r[i]! -= alpha * ap[i]!; }
    const next = r.reduce((a, v) => a + v * v, 0);
    for (let i = 0; i < p.length; i++) p[i] = r[i]! + (next / rr) * p[i]!;
    rr = next;
  }
  return x;
}

/** Ridge regression with an unpenalised intercept: returns [intercept, weights]. */
function ridge(docs: Doc[], y: number[], features: number, penalty: number): { intercept: number; w: Float64Array } {
  const n = docs.length;
  const mean = new Float64Array(features);
  for (const d of docs) for (const [j, v] of d) mean[j]! += v / n;
  const yMean = y.reduce((a, v) => a + v, 0) / n;
  // (Xc'Xc + λI) w = Xc'(y - ȳ), with Xc = X - 1·mean', never formed densely.
  const xv = (v: Float64Array): Float64Array => {
    const shift = mean.reduce((a, m, j) => a + m * v[j]!, 0);
    return Float64Array.from(docs, (d) => { let s = -shift; for (const [j, x] of d) s += x * v[j]!; return s; });
  };
  const xtu = (u: Float64Array): Float64Array => {
    const out = new Float64Array(features);
    const total = u.reduce((a, v) => a + v, 0);
    docs.forEach((d, i) => { for (const [j, x] of d) out[j]! += x * u[i]!; });
    for (let j = 0; j < features; j++) out[j]! -= mean[j]! * total;
    return out;
  };
  const b = xtu(Float64Array.from(y, (v) => v - yMean));
  const w = conjugateGradient((v) => { const out = xtu(xv(v)); for (let j = 0; j < features; j++) out[j]! += penalty * v[j]!; return out; }, b);
  return { intercept: yMean - mean.reduce((a, m, j) => a + m * w[j]!, 0), w };
}

const predict = (d: Doc, model: { intercept: number; w: Float64Array }): number => {
  let s = model.intercept;
  for (const [j, x] of d) s += x * model.w[j]!;
  return s;
};

async function main(): Promise<void> {
  const server = process.argv.find((_, i) => process.argv[i - 1] === '--server');
  const all = await fineFoodReviews();
  const parts = productParts(all);
  const fit = all.filter((r) => parts.get(r.productId) === 'fit');

  const counted = fit.map((r) => {
    const signs = new Map<string, number>();
    for (const t of tokens([r.title, r.body].filter(Boolean).join('\n'))) {
      if (STOP_WORDS.has(t.word) || NEGATOR_SET.has(t.word)) continue;
      signs.set(t.word, (signs.get(t.word) ?? 0) + (t.negated ? -1 : 1));
    }
    return signs;
  });
  const reach = new Map<string, number>();
  for (const s of counted) for (const w of s.keys()) reach.set(w, (reach.get(w) ?? 0) + 1);
  const vocabulary = [...reach].filter(([, n]) => n >= MIN_REVIEWS).map(([w]) => w).sort();
  const index = new Map(vocabulary.map((w, i) => [w, i]));
  const docs: Doc[] = counted.map((s) => new Map([...s].filter(([w, v]) => index.has(w) && v !== 0).map(([w, v]) => [index.get(w)!, Math.sign(v)])));
  const y = fit.map((r) => r.rating);
  const fold = fit.map((r) => Number.parseInt(createHash('md5').update(`fold:${r.productId}`).digest('hex').slice(0, 8), 16) % 5);

  const cv = PENALTIES.map((penalty) => {
    let sse = 0;
    for (let k = 0; k < 5; k++) {
      const train = docs.flatMap((_, i) => (fold[i] !== k ? [i] : []));
      const model = ridge(train.map((i) => docs[i]!), train.map((i) => y[i]!), vocabulary.length, penalty);
      docs.forEach((d, i) => { if (fold[i] === k) sse += (predict(d, model) - y[i]!) ** 2; });
    }
    return { penalty, rmse: Math.sqrt(sse / docs.length) };
  });
  const best = cv.reduce((a, b) => (b.rmse < a.rmse ? b : a));
  console.log(`fit reviews: ${fit.length}, vocabulary: ${vocabulary.length} words in ≥ ${MIN_REVIEWS} reviews`);
  for (const c of cv) console.log(`  ridge penalty ${String(c.penalty).padStart(5)}: cross-validated RMSE ${c.rmse.toFixed(4)} stars${c === best ? '  ← chosen' : ''}`);
  const model = ridge(docs, y, vocabulary.length, best.penalty);
  const rows = vocabulary.map((w, j) => [w, model.w[j]!] as const).filter(([, v]) => Math.abs(v) >= MIN_WEIGHT);
  const file = join(REPO, 'seeds', 'learned_sentiment.csv');
  writeFileSync(file, 'word,weight\n' + rows.map(([w, v]) => `${/[",\r\n]/.test(w) ? `"${w.replaceAll('"', '""')}"` : w},${v.toFixed(4)}`).join('\n') + '\n');
  const sorted = [...rows].sort((a, b) => a[1] - b[1]);
  console.log(`wrote ${rows.length} weights to ${file}`);
  console.log(`  most negative: ${sorted.slice(0, 12).map(([w, v]) => `${w} ${v.toFixed(2)}`).join(', ')}`);
  console.log(`  most positive: ${sorted.slice(-12).reverse().map(([w, v]) => `${w} ${v.toFixed(2)}`).join(', ')}`);

  if (process.argv.includes('--no-blend')) return;
  const work = mkdtempSync(join(tmpdir(), 'strata-train-'));
  try {
    const fitSentences = ratedSentences().filter((s) => s.part === 'fit');
    await writeDataSet(work, sentencesAsReviews(fitSentences), 'Rated sentences');
    const results: { blend: number; r: number }[] = [];
    for (const blend of BLENDS) {
      const built = await buildOn(work, { ...(server ? { server } : {}), vars: `{learned_sentiment_weight: ${blend}}` });
      try {
        const scored = await built.query<{ review_id: string; sentiment_score: string }>('select review_id, sentiment_score from gold.fact_reviews order by review_id');
        const r = pearson(scored.map((s) => Number(s.sentiment_score)), scored.map((s) => fitSentences[Number(s.review_id) - 1]!.mean));
        results.push({ blend, r });
      } finally {
        await built.close();
      }
    }
    const chosen = results.reduce((a, b) => (b.r > a.r ? b : a));
    for (const x of results) console.log(`  learned_sentiment_weight ${String(x.blend).padStart(3)}: r = ${x.r.toFixed(4)} on ${fitSentences.length} fit sentences${x === chosen ? '  ← chosen' : ''}`);
    console.log(`set in project.yaml: learned_sentiment_weight: ${chosen.blend}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
