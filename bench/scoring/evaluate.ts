/**
 * The scoring harness: builds the shipped project on the shared real data and measures
 * what the score promises. Two builds: the Fine Food reviews with masked votes (every
 * non-vote column is independent of the votes, so one build gives the content score, the
 * sentiment and the masked vote term) and VADER's rated sentences, each as a review.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOn, type BuildOn } from './build-project.ts';
import { auc, macroF1, pearson, spearman } from './metrics.ts';
import { fineFoodReviews, maskVotes, productParts, ratedSentences, sentencesAsReviews, writeDataSet, type Part } from './real-data.ts';

export interface SentenceFigures {
  sentences: number;
  /** Pearson r of sentiment_score with the raters' mean. */
  r: number;
  /** Macro F1 over positive / neutral / negative (raters' mean beyond ±0.5 vs sentiment_label). */
  f1: number;
  /** r of each sentiment column the model exposes (e.g. lexicon_sentiment, learned_sentiment). */
  columns: Record<string, number>;
}

export interface ReviewFigures {
  reviews: number;
  /** AUC of sentiment_score separating 4–5★ from 1–2★ reviews. */
  sentimentAuc: number;
  /** The same AUC for each sentiment column alone (afinn_sentiment, learned_sentiment). */
  sentimentColumnsAuc: Record<string, number>;
  /** Share of reviews whose sentiment is flagged as not matching the stars, per star band. */
  flagRate: Record<'1' | '2' | '3' | '4' | '5' | '1-2' | '4-5', number>;
  /** Share of reviews whose originality is below 1 (genuine reviews should rarely be). */
  originalityBelowOne: number;
  /** Reviews with at least 5 votes: the ground truth is their helpful ratio. */
  voted: number;
  /** Spearman of the non-vote score (content_score) with the helpful ratio. */
  nonVoteSpearman: number;
  /** AUC of the non-vote score for a helpful ratio ≥ 0.8. */
  nonVoteAuc: number;
  /** References: Spearman of body length alone, and of the star rating alone (which the score does not use). */
  lengthSpearman: number;
  ratingSpearman: number;
  /** Masked votes: Spearman of the vote term, and of the whole score, with the ratio of all votes. */
  maskedVotesSpearman: number;
  maskedScoreSpearman: number;
  /** Spearman of each non-vote component alone with the helpful ratio. */
  components: Record<string, number>;
}

export interface ScoringFigures {
  sentences: Record<Part | 'all', SentenceFigures>;
  reviews: Record<Part | 'all', ReviewFigures>;
  buildSeconds: number;
}

const num = (v: unknown): number => Number(v);
const sentimentClass = (x: number): string => (x >= 0.5 ? 'positive' : x <= -0.5 ? 'negative' : 'neutral');

async function columnsOf(query: (sql: string) => Promise<Record<string, unknown>[]>, table: string): Promise<string[]> {
  const rows = await query(`select column_name from information_schema.columns where table_schema = 'gold' and table_name = '${table}' order by ordinal_position`);
  return rows.map((r) => String(r.column_name));
}

export async function evaluateScoring(opts: BuildOn = {}): Promise<ScoringFigures> {
  const work = mkdtempSync(join(tmpdir(), 'strata-scoring-data-'));
  try {
    const reviews = await fineFoodReviews();
    const parts = productParts(reviews);
    const truth = new Map(reviews.map((r) => [r.reviewId, r]));
    await writeDataSet(join(work, 'masked'), maskVotes(reviews));
    const sentences = ratedSentences();
    await writeDataSet(join(work, 'sentences'), sentencesAsReviews(sentences), 'Rated sentences');

    let buildSeconds = 0;
    const built = await buildOn(join(work, 'masked'), opts);
    buildSeconds += built.seconds;
    let rows: Record<string, unknown>[];
    try {
      const columns = [...(await columnsOf(built.query, 'fact_reviews')), ...(await columnsOf(built.query, 'review_rank'))];
      rows = await built.query(`select * from gold.fact_reviews f join gold.review_rank k using (review_id)`);
      if (!columns.includes('content_score')) {
        // A project without a content_score column (the score before this harness): its
        // non-vote score is its helpfulness score with the votes weight at 0.
        const noVotes = await buildOn(join(work, 'masked'), { ...opts, vars: `{${opts.vars ? `${opts.vars.replace(/^\s*\{|\}\s*$/g, '')}, ` : ''}score_weight_votes: 0}` });
        buildSeconds += noVotes.seconds;
        try {
          const nv = new Map((await noVotes.query(`select review_id, helpfulness_score from gold.fact_reviews`)).map((r) => [num(r.review_id), num(r.helpfulness_score)]));
          for (const r of rows) r.content_score = nv.get(num(r.review_id));
        } finally {
          await noVotes.close();
        }
      }
    } finally {
      await built.close();
    }

    const sentenceBuild = await buildOn(join(work, 'sentences'), opts);
    buildSeconds += sentenceBuild.seconds;
    let sentenceRows: Record<string, unknown>[];
    let sentimentColumns: string[];
    try {
      const columns = await columnsOf(sentenceBuild.query, 'fact_reviews');
      sentimentColumns = columns.filter((c) => c !== 'sentiment_score' && /sentiment$|_sentiment\b/.test(c) && !c.endsWith('_component'));
      sentenceRows = await sentenceBuild.query(`select * from gold.fact_reviews order by review_id`);
    } finally {
      await sentenceBuild.close();
    }

    const sentenceFigures = (part: Part | 'all'): SentenceFigures => {
      const chosen = sentenceRows.filter((_, i) => part === 'all' || sentences[num(sentenceRows[i]!.review_id) - 1]!.part === part);
      const means = chosen.map((r) => sentences[num(r.review_id) - 1]!.mean);
      return {
        sentences: chosen.length,
        r: pearson(chosen.map((r) => num(r.sentiment_score)), means),
        f1: macroF1(means.map(sentimentClass), chosen.map((r) => String(r.sentiment_label))),
        columns: Object.fromEntries(sentimentColumns.map((c) => [c, pearson(chosen.map((r) => num(r[c])), means)])),
      };
    };

    const reviewFigures = (part: Part | 'all'): ReviewFigures => {
      const chosen = rows.filter((r) => part === 'all' || parts.get(String(r.product_id)) === part);
      const band = (pred: (stars: number) => boolean): number => {
        const b = chosen.filter((r) => pred(num(r.rating)));
        return b.filter((r) => r.sentiment_consistent === false).length / Math.max(1, b.length);
      };
      const polar = chosen.filter((r) => num(r.rating) !== 3);
      const voted = chosen.filter((r) => truth.get(num(r.review_id))!.totalVotes >= 5);
      const ratio = voted.map((r) => { const t = truth.get(num(r.review_id))!; return t.helpfulVotes / t.totalVotes; });
      return {
        reviews: chosen.length,
        sentimentAuc: auc(polar.map((r) => num(r.sentiment_score)), polar.map((r) => num(r.rating) >= 4)),
        sentimentColumnsAuc: Object.fromEntries(sentimentColumns.map((c) => [c, auc(polar.map((r) => num(r[c])), polar.map((r) => num(r.rating) >= 4))])),
        flagRate: {
          '1': band((s) => s === 1), '2': band((s) => s === 2), '3': band((s) => s === 3), '4': band((s) => s === 4), '5': band((s) => s === 5),
          '1-2': band((s) => s <= 2), '4-5': band((s) => s >= 4),
        },
        originalityBelowOne: chosen.filter((r) => r.originality !== undefined && num(r.originality) < 1).length / Math.max(1, chosen.length),
        voted: voted.length,
        nonVoteSpearman: spearman(voted.map((r) => num(r.content_score)), ratio),
        nonVoteAuc: auc(voted.map((r) => num(r.content_score)), ratio.map((x) => x >= 0.8)),
        lengthSpearman: spearman(voted.map((r) => num(r.body_word_count)), ratio),
        ratingSpearman: spearman(voted.map((r) => num(r.rating)), ratio),
        maskedVotesSpearman: spearman(voted.map((r) => num(r.votes_component)), ratio),
        maskedScoreSpearman: spearman(voted.map((r) => num(r.helpfulness_score)), ratio),
        components: Object.fromEntries(
          Object.keys(rows[0] ?? {})
            .filter((c) => c.endsWith('_component') && c !== 'votes_component')
            .map((c) => [c, spearman(voted.map((r) => num(r[c])), ratio)]),
        ),
      };
    };

    return {
      sentences: { held_out: sentenceFigures('held_out'), fit: sentenceFigures('fit'), all: sentenceFigures('all') },
      reviews: { held_out: reviewFigures('held_out'), fit: reviewFigures('fit'), all: reviewFigures('all') },
      buildSeconds: Math.round(buildSeconds * 10) / 10,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
