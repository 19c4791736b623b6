/**
 * Trains the learned sentiment lexicon (seeds/learned_sentiment.csv) on the FIT parts of the
 * shared real data and chooses how much it counts next to AFINN.
 *
 *   1. Examples: the fit Fine Food reviews, their stars as labels, and the fit half of VADER's
 *      rated sentences, the raters' mean (-4..4) as stars (3 + mean / 2), each sentence
 *      counting `sentence weight` times (the reviews teach food words from 1,941 long texts;
 *      the sentences teach how people rate short statements about electronics, books and
 *      films).
 *   2. Tokens as the SQL model makes them (bench/scoring/tokens.ts); a word with a negator in
 *      the three words before it counts negatively, as in the model. Features: per example and
 *      word, the sign of its (negation-aware) occurrences; function words, negators and tokens
 *      without a letter ("-", "$3", "8oz") left out; words in at least `MIN_EXAMPLES` examples.
 *   3. A weighted ridge regression of the stars on them (conjugate gradient). A weight is
 *      "stars per occurrence of the word, all else equal".
 *   4. The penalty, the sentence weight and the blend var `learned_sentiment_weight` (valence
 *      points per star of learned weight) are chosen together by 5-fold cross-validation inside
 *      the fit part, folds grouped by product and by source review: for each fold, the lexicon
 *      trained without it is built into the project (the shipped SQL) on that fold's sentences,
 *      and the choice is the one with the highest pooled Pearson r with the raters' mean.
 *
 * Nothing here reads the held-out parts. Deterministic: same data, same output.
 * Usage: npx tsx bench/train-sentiment.ts [--server postgres://…] [--min-weight W]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOn } from './scoring/build-project.ts';
import { pearson } from './scoring/metrics.ts';
import { fineFoodReviews, productParts, ratedSentences, REPO, sentencesAsReviews, writeDataSet, type RatedSentence } from './scoring/real-data.ts';
import { NEGATORS, tokens } from './scoring/tokens.ts';

const MIN_EXAMPLES = 3;
/** Weights smaller than this are left out of the seed: they move no score, and every lexicon word costs a join hit. */
const MIN_WEIGHT = Number(process.argv.find((_, i) => process.argv[i - 1] === '--min-weight') ?? 0.05);
const PENALTIES = [10, 30, 100];
const SENTENCE_WEIGHTS = [1, 3, 5];
const BLENDS = [0, 1, 2, 3, 4, 5, 6, 8];
const FOLDS = 5;
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

/** Weighted ridge regression with an unpenalised intercept: returns [intercept, weights]. */
function ridge(docs: Doc[], y: number[], weight: number[], features: number, penalty: number): { intercept: number; w: Float64Array } {
  const total = weight.reduce((a, v) => a + v, 0);
  const mean = new Float64Array(features);
  docs.forEach((d, i) => { for (const [j, v] of d) mean[j]! += (weight[i]! * v) / total; });
  const yMean = y.reduce((a, v, i) => a + weight[i]! * v, 0) / total;
  // (Xc'W Xc + λI) w = Xc'W (y - ȳ), with Xc = X - 1·mean', never formed densely.
  const xv = (v: Float64Array): Float64Array => {
    const shift = mean.reduce((a, m, j) => a + m * v[j]!, 0);
    return Float64Array.from(docs, (d) => { let s = -shift; for (const [j, x] of d) s += x * v[j]!; return s; });
  };
  const xtu = (u: Float64Array): Float64Array => {
    const out = new Float64Array(features);
    const sum = u.reduce((a, v) => a + v, 0);
    docs.forEach((d, i) => { for (const [j, x] of d) out[j]! += x * u[i]!; });
    for (let j = 0; j < features; j++) out[j]! -= mean[j]! * sum;
    return out;
  };
  const b = xtu(Float64Array.from(y, (v, i) => weight[i]! * (v - yMean)));
  const w = conjugateGradient((v) => {
    const out = xtu(xv(v).map((x, i) => weight[i]! * x));
    for (let j = 0; j < features; j++) out[j]! += penalty * v[j]!;
    return out;
  }, b);
  return { intercept: yMean - mean.reduce((a, m, j) => a + m * w[j]!, 0), w };
}

interface Example {
  /** Sign of each word's negation-aware occurrences. */
  signs: Map<string, number>;
  stars: number;
  /** 'review' or the rated sentence it is. */
  sentence: RatedSentence | null;
  fold: number;
}

const foldOf = (group: string): number => Number.parseInt(createHash('md5').update(`fold:${group}`).digest('hex').slice(0, 8), 16) % FOLDS;

function signsOf(text: string): Map<string, number> {
  const signs = new Map<string, number>();
  for (const t of tokens(text)) {
    if (STOP_WORDS.has(t.word) || NEGATOR_SET.has(t.word) || !/[a-z]/.test(t.word)) continue;
    signs.set(t.word, (signs.get(t.word) ?? 0) + (t.negated ? -1 : 1));
  }
  return signs;
}

/** The lexicon trained on these examples: [word, stars per occurrence], small weights left out. */
function train(examples: readonly Example[], penalty: number, sentenceWeight: number): [string, number][] {
  const reach = new Map<string, number>();
  for (const e of examples) for (const w of e.signs.keys()) reach.set(w, (reach.get(w) ?? 0) + 1);
  const vocabulary = [...reach].filter(([, n]) => n >= MIN_EXAMPLES).map(([w]) => w).sort();
  const index = new Map(vocabulary.map((w, i) => [w, i]));
  const docs: Doc[] = examples.map((e) => new Map([...e.signs].filter(([w, v]) => index.has(w) && v !== 0).map(([w, v]) => [index.get(w)!, Math.sign(v)])));
  const model = ridge(docs, examples.map((e) => e.stars), examples.map((e) => (e.sentence ? sentenceWeight : 1)), vocabulary.length, penalty);
  return vocabulary.map((w, j) => [w, model.w[j]!] as [string, number]).filter(([, v]) => Math.abs(v) >= MIN_WEIGHT);
}

const csv = (rows: readonly [string, number][]): string =>
  'word,weight\n' + rows.map(([w, v]) => `${/[",\r\n]/.test(w) ? `"${w.replaceAll('"', '""')}"` : w},${v.toFixed(4)}`).join('\n') + '\n';

async function main(): Promise<void> {
  const server = process.argv.find((_, i) => process.argv[i - 1] === '--server');
  const alpha = Number(/^\s*sentiment_alpha:\s*([\d.]+)/m.exec(readFileSync(join(REPO, 'project.yaml'), 'utf8'))![1]);
  const all = await fineFoodReviews();
  const parts = productParts(all);
  const fitSentences = ratedSentences().filter((s) => s.part === 'fit');
  const examples: Example[] = [
    ...all.filter((r) => parts.get(r.productId) === 'fit')
      .map((r) => ({ signs: signsOf([r.title, r.body].filter(Boolean).join('\n')), stars: r.rating, sentence: null, fold: foldOf(r.productId) })),
    ...fitSentences.map((s) => ({ signs: signsOf(s.text), stars: 3 + s.mean / 2, sentence: s, fold: foldOf(`sentences:${s.id.split('_')[0]!}`) })),
  ];
  console.log(`fit examples: ${examples.length - fitSentences.length} reviews, ${fitSentences.length} rated sentences`);

  // Cross-validation through the shipped SQL: one build per fold and setting gives each held
  // sentence's afinn_score and learned_score, and its sentiment for every blend w is
  // s / sqrt(s² + alpha) with s = afinn_score + w × learned_score (the model's own formula).
  const work = mkdtempSync(join(tmpdir(), 'strata-train-'));
  const trials: { penalty: number; sentenceWeight: number; blend: number; r: number }[] = [];
  try {
    const foldSentences = Array.from({ length: FOLDS }, (_, k) => examples.filter((e) => e.sentence && e.fold === k).map((e) => e.sentence!));
    for (let k = 0; k < FOLDS; k++) await writeDataSet(join(work, `fold${k}`), sentencesAsReviews(foldSentences[k]!), 'Rated sentences');
    for (const penalty of PENALTIES) {
      for (const sentenceWeight of SENTENCE_WEIGHTS) {
        const scored: { afinn: number; learned: number; mean: number }[] = [];
        for (let k = 0; k < FOLDS; k++) {
          const lexicon = train(examples.filter((e) => e.fold !== k), penalty, sentenceWeight);
          const built = await buildOn(join(work, `fold${k}`), { ...(server ? { server } : {}), files: { 'seeds/learned_sentiment.csv': csv(lexicon) } });
          try {
            const rows = await built.query<{ review_id: string; afinn_score: string; learned_score: string }>('select review_id, afinn_score, learned_score from silver.review_features');
            for (const row of rows) scored.push({ afinn: Number(row.afinn_score), learned: Number(row.learned_score), mean: foldSentences[k]![Number(row.review_id) - 1]!.mean });
          } finally {
            await built.close();
          }
        }
        for (const blend of BLENDS) {
          const sentiment = scored.map((x) => { const s = x.afinn + blend * x.learned; return s / Math.sqrt(s * s + alpha); });
          trials.push({ penalty, sentenceWeight, blend, r: pearson(sentiment, scored.map((x) => x.mean)) });
        }
        const row = trials.slice(-BLENDS.length);
        console.log(`  penalty ${String(penalty).padStart(4)}, sentence weight ${sentenceWeight}: cross-validated r ${row.map((t) => `${t.blend}→${t.r.toFixed(4)}`).join(' ')}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const best = trials.reduce((a, b) => (b.r > a.r ? b : a));
  console.log(`chosen: penalty ${best.penalty}, sentence weight ${best.sentenceWeight}, learned_sentiment_weight ${best.blend} (cross-validated r ${best.r.toFixed(4)})`);

  const rows = train(examples, best.penalty, best.sentenceWeight);
  const file = join(REPO, 'seeds', 'learned_sentiment.csv');
  writeFileSync(file, csv(rows));
  const sorted = [...rows].sort((a, b) => a[1] - b[1]);
  console.log(`wrote ${rows.length} weights to ${file}`);
  console.log(`  most negative: ${sorted.slice(0, 12).map(([w, v]) => `${w} ${v.toFixed(2)}`).join(', ')}`);
  console.log(`  most positive: ${sorted.slice(-12).reverse().map(([w, v]) => `${w} ${v.toFixed(2)}`).join(', ')}`);
  console.log(`set in project.yaml: learned_sentiment_weight: ${best.blend}`);
}

await main();
