/**
 * The shared real data the scoring is measured and fitted on, and the one split of it that
 * every script uses: SNAP's Fine Food reviews, split by product into a fit part and a
 * held-out part (products that share a review text — one listing sold under several ids —
 * stay together), and VADER's 3,708 rated sentences, split by their source review.
 * Nothing is ever fitted on the held-out parts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AmazonLayoutWriter } from '../../src/import/amazon-layout.ts';
import { readFineFood } from '../../src/import/fine-food.ts';
import type { SourceReview } from '../../src/import/source-review.ts';
import { seededRandom } from './metrics.ts';

export const REPO = join(import.meta.dirname, '..', '..');
const EXTERNAL = process.env.STRATA_EXTERNAL_DIR ?? join(REPO, '..', 'shared', 'external');
export const FINE_FOOD_CSV = join(EXTERNAL, 'amazon_fine_food', 'reviews.csv');
export const RATED_SENTENCES = join(EXTERNAL, 'sentiment', 'amazonReviewSnippets_GroundTruth.txt');

export type Part = 'fit' | 'held_out';

/** Half of the groups, chosen by a hash of the group's name: stable, and blind to the data. */
const partOf = (key: string): Part => (Number.parseInt(createHash('md5').update(key).digest('hex').slice(0, 8), 16) % 2 === 1 ? 'held_out' : 'fit');

/** Every valid Fine Food review, as the importer reads it. */
export async function fineFoodReviews(): Promise<SourceReview[]> {
  const list: SourceReview[] = [];
  for await (const o of readFineFood(createReadStream(FINE_FOOD_CSV), FINE_FOOD_CSV)) if (o.kind === 'review') list.push(o.review);
  return list;
}

/** product id → its part; products sharing any review text are one group. */
export function productParts(reviews: readonly SourceReview[]): Map<string, Part> {
  const parent = new Map<string, string>();
  const find = (p: string): string => {
    let root = p;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(p, root);
    return root;
  };
  const byText = new Map<string, string>();
  for (const r of reviews) {
    if (!parent.has(r.productId)) parent.set(r.productId, r.productId);
    const key = (r.body ?? '').trim().toLowerCase();
    const other = byText.get(key);
    if (other === undefined) byText.set(key, r.productId);
    else {
      const [a, b] = [find(other), find(r.productId)].sort();
      if (a !== b) parent.set(b!, a!);
    }
  }
  const groupKey = new Map<string, string>();
  for (const p of parent.keys()) {
    const root = find(p);
    if (!groupKey.has(root) || p < groupKey.get(root)!) groupKey.set(root, p);
  }
  return new Map([...parent.keys()].map((p) => [p, partOf(groupKey.get(find(p))!)]));
}

/**
 * The masked-votes experiment: each review shows a random 0..10 of its votes (at most all
 * of them), drawn without replacement, as a reader sees a young review.
 */
export function maskVotes(reviews: readonly SourceReview[], seed = 13): SourceReview[] {
  const random = seededRandom(seed);
  return reviews.map((r) => {
    const shown = Math.floor(random() * (Math.min(10, r.totalVotes) + 1));
    let helpful = r.helpfulVotes;
    let total = r.totalVotes;
    let drawnHelpful = 0;
    for (let i = 0; i < shown; i++) {
      if (random() * total < helpful) { drawnHelpful++; helpful--; }
      total--;
    }
    return { ...r, helpfulVotes: drawnHelpful, totalVotes: shown };
  });
}

export async function writeDataSet(dir: string, reviews: readonly SourceReview[], category = 'Grocery & Gourmet Food'): Promise<void> {
  await mkdir(dir, { recursive: true });
  const writer = AmazonLayoutWriter.open(dir, category);
  for (const r of reviews) await writer.add(r);
  await writer.close();
}

export interface RatedSentence {
  id: string;
  /** Mean of 20 raters, -4..4. */
  mean: number;
  text: string;
  part: Part;
}

export function ratedSentences(): RatedSentence[] {
  return readFileSync(RATED_SENTENCES, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [id, mean, ...rest] = l.split('\t');
      return { id: id!, mean: Number(mean), text: rest.join('\t').trim(), part: partOf(`sentences:${id!.split('_')[0]}`) };
    });
}

/** Each rated sentence as a review of its own (3 stars, no votes), so the shipped SQL scores it. */
export function sentencesAsReviews(sentences: readonly RatedSentence[]): SourceReview[] {
  return sentences.map((s, i) => ({
    reviewId: i + 1,
    productId: `SENT${s.id.split('_')[0]!.padStart(4, '0')}`,
    reviewerId: `rater-${i + 1}`,
    reviewerName: null,
    rating: 3,
    title: null,
    body: s.text,
    helpfulVotes: 0,
    totalVotes: 0,
    verifiedPurchase: false,
    createdAt: Date.UTC(2014, 0, 1),
    imageUrls: [],
  }));
}
