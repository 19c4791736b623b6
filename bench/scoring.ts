/**
 * The scoring harness on the shared real data (docs/scoring.md): sentiment r and 3-class F1
 * on VADER's rated sentences, sentiment AUC for 1–2★ vs 4–5★ reviews, the mismatch-flag
 * rate per star band, Spearman and AUC of the non-vote score against the helpful ratio
 * (reviews with ≥ 5 votes), and the masked-votes experiment — on the held-out part (split
 * by product; the fit part is shown beside it). It builds the shipped project with strata.
 * Usage: npx tsx bench/scoring.ts [--server postgres://…] [--project DIR] [--vars YAML]
 */
import { evaluateScoring, type ReviewFigures, type SentenceFigures } from './scoring/evaluate.ts';
import { writeBenchResult } from './results.ts';

const arg = (name: string): string | undefined => process.argv.find((_, i) => process.argv[i - 1] === name);
const server = arg('--server');
const projectDir = arg('--project');
const vars = arg('--vars');

const figures = await evaluateScoring({ ...(server ? { server } : {}), ...(projectDir ? { projectDir } : {}), ...(vars ? { vars } : {}) });
const f3 = (x: number): string => x.toFixed(3);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const parts = ['held_out', 'fit', 'all'] as const;
const row = (label: string, cell: (p: (typeof parts)[number]) => string): string => `${label.padEnd(52)}${parts.map((p) => cell(p).padStart(12)).join('')}`;
const s = (p: (typeof parts)[number]): SentenceFigures => figures.sentences[p];
const r = (p: (typeof parts)[number]): ReviewFigures => figures.reviews[p];

console.log(row('', (p) => p));
console.log(row('rated sentences', (p) => String(s(p).sentences)));
console.log(row('  sentiment r with the raters’ mean', (p) => f3(s(p).r)));
for (const c of Object.keys(s('all').columns)) console.log(row(`    r of ${c}`, (p) => f3(s(p).columns[c]!)));
console.log(row('  3-class macro F1', (p) => f3(s(p).f1)));
console.log(row('Fine Food reviews', (p) => String(r(p).reviews)));
console.log(row('  sentiment AUC, 4–5★ vs 1–2★', (p) => f3(r(p).sentimentAuc)));
for (const c of Object.keys(r('all').sentimentColumnsAuc)) console.log(row(`    AUC of ${c}`, (p) => f3(r(p).sentimentColumnsAuc[c]!)));
for (const band of ['1', '2', '3', '4', '5', '1-2', '4-5'] as const) console.log(row(`  mismatch flag rate, ${band}★`, (p) => pct(r(p).flagRate[band])));
console.log(row('  originality below 1', (p) => pct(r(p).originalityBelowOne)));
console.log(row('reviews with ≥ 5 votes', (p) => String(r(p).voted)));
console.log(row('  non-vote score: Spearman with helpful ratio', (p) => f3(r(p).nonVoteSpearman)));
console.log(row('  non-vote score: AUC for ratio ≥ 0.8', (p) => f3(r(p).nonVoteAuc)));
console.log(row('  (reference: body length alone, Spearman)', (p) => f3(r(p).lengthSpearman)));
console.log(row('  (reference: stars alone — not in the score)', (p) => f3(r(p).ratingSpearman)));
for (const c of Object.keys(r('all').components)) console.log(row(`    ${c} alone, Spearman`, (p) => (Number.isNaN(r(p).components[c]!) ? 'constant' : f3(r(p).components[c]!))));
console.log(row('  masked votes: vote term Spearman with full ratio', (p) => f3(r(p).maskedVotesSpearman)));
console.log(row('  masked votes: whole score Spearman with full ratio', (p) => f3(r(p).maskedScoreSpearman)));
console.log(`(builds: ${figures.buildSeconds}s)`);
writeBenchResult('scoring', { server: server ? server.replace(/:[^:@/]*@/, ':****@') : 'pglite', vars: vars ?? null, figures });
