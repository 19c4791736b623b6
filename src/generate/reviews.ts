import type { Random } from './random.ts';
import type { BuyerPool } from './buyers.ts';
import type { ProductPool } from './products.ts';
import type { Tone, Voice } from './review-text.ts';
import { ReviewTextWriter } from './review-text.ts';
import { WeightedSampler, ZipfSampler } from './distributions.ts';
import { csvText } from './csv.ts';
import { formatTimestamp, MICROS_PER_DAY, MICROS_PER_SECOND, utcMicros } from './time.ts';
import { CsvFileWriter } from './writer.ts';
import { drawVotes, reviewMerit } from './helpfulness.ts';
import { blankBody, DIRTY_RATES, outOfRangeRating } from './dirty-reviews.ts';
import { drawImageCount, FIRST_IMAGE_ID, REVIEW_IMAGE_COLUMNS, writeReviewImages } from './review-images.ts';

export const REVIEW_COLUMNS = [
  'review_id', 'product_id', 'buyer_id', 'rating', 'title', 'body', 'verified_purchase',
  'helpful_votes', 'total_votes', 'created_at', 'updated_at',
] as const;

interface ReviewRow {
  readonly reviewId: number;
  readonly productId: string;
  readonly buyerId: number;
  readonly rating: number;
  readonly title: string | null;
  readonly body: string | null;
  readonly verified: boolean;
  readonly helpfulVotes: number;
  readonly totalVotes: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const FIRST_REVIEW_ID = 100_000_000;
const REVIEWS_FROM = utcMicros(2019, 1, 1);
// Room after the last original review for duplicates and edits to still fall inside 2025.
const REVIEWS_UNTIL = utcMicros(2025, 12, 1);
const DATA_END = utcMicros(2025, 12, 31);

/**
 * Amazon's J-shape: 1★ 10%, 2★ 6%, 3★ 9%, 4★ 20%, 5★ 55% after the product drift below,
 * which moves mass off 5★ (a good product cannot push a 5★ higher); hence 5★ is weighted up here.
 */
const ratingSampler = new WeightedSampler([0.1, 0.055, 0.085, 0.19, 0.57]);
const TONE_OF_RATING: readonly Tone[] = [-2, -2, -1, 0, 1, 2];

/** Writes review.csv and review_image.csv together: images hang off the reviews as they are drawn. */
export async function writeReviews(
  paths: { readonly reviews: string; readonly images: string },
  count: number,
  pools: { readonly products: ProductPool; readonly buyers: BuyerPool },
  random: Random,
): Promise<{ reviewRows: number; imageRows: number }> {
  const { products, buyers } = pools;
  const reviewWriter = CsvFileWriter.open(paths.reviews, REVIEW_COLUMNS);
  const imageWriter = CsvFileWriter.open(paths.images, REVIEW_IMAGE_COLUMNS);
  const productPopularity = new ZipfSampler(products.ids.length, 1.1, 2, random);
  const productRank = productPopularity.rankOfItems();
  const buyerActivity = new ZipfSampler(buyers.ids.length, 0.8, 5, random);
  const text = new ReviewTextWriter(random);

  let nextReviewId = FIRST_REVIEW_ID;
  let nextImageId = FIRST_IMAGE_ID;
  while (reviewWriter.rows < count) {
    const product = productPopularity.sample(random);
    const buyer = buyerActivity.sample(random);
    nextReviewId += random.chance(0.95) ? 1 : random.intBetween(2, 5);
    const reviewId = nextReviewId;

    let rating = drawRating(random, products.quality[product] ?? 0);
    const inconsistent = random.chance(0.015);
    const voice: Voice = rating <= 2 && random.chance(0.04) ? 'sarcastic' : 'sincere';
    const ratedTone = TONE_OF_RATING[rating] ?? 0;
    const tone = (inconsistent ? -ratedTone : ratedTone) as Tone;
    const subject = products.subjects[product] ?? { noun: 'item', brand: null };

    const earliest = Math.max(REVIEWS_FROM, products.createdAt[product] ?? 0, buyers.createdAt[buyer] ?? 0);
    const createdAt = Math.floor(earliest + random.next() * (REVIEWS_UNTIL - earliest));
    let updatedAt = createdAt;
    const title = random.chance(0.02) ? null : random.chance(0.003) ? '' : text.title(tone, voice, subject);
    let body: string | null = text.body(tone, voice, subject);
    if (random.chance(0.04)) {
      updatedAt = Math.min(DATA_END, createdAt + MICROS_PER_SECOND * 60 + Math.floor(random.exponential(45 * MICROS_PER_DAY)));
      if (random.chance(0.5)) body += '\n\n' + text.updateNote(rating >= 3 ? random.chance(0.7) : random.chance(0.3), subject);
    }
    if (random.chance(DIRTY_RATES.blankBody)) body = blankBody(random);
    if (random.chance(DIRTY_RATES.outOfRangeRating)) rating = outOfRangeRating(random);

    const verified = random.chance(0.8);
    const bodyLength = body === null ? 0 : body.trim().length;
    const imageCount = drawImageCount(random, bodyLength);
    const merit = reviewMerit({ bodyLength, verified, imageCount, tone, inconsistent: inconsistent || voice === 'sarcastic' });
    const votes = drawVotes(random, merit, {
      productRank: productRank[product] ?? 0,
      ageDays: (DATA_END - createdAt) / MICROS_PER_DAY,
    });

    const review: ReviewRow = {
      reviewId,
      productId: products.ids[product] ?? '',
      buyerId: buyers.ids[buyer] ?? 0,
      rating,
      title,
      body,
      verified,
      helpfulVotes: votes.helpful,
      totalVotes: votes.total,
      createdAt,
      updatedAt,
    };
    reviewWriter.addRow(encodeReview(review));
    nextImageId = writeReviewImages(imageWriter, random, { reviewId, createdAt, imageCount }, nextImageId);

    if (reviewWriter.rows < count && random.chance(DIRTY_RATES.duplicate)) {
      nextReviewId++;
      reviewWriter.addRow(encodeReview(duplicateOf(review, nextReviewId, random)));
    }
    if (reviewWriter.needsFlush) await reviewWriter.flush();
    if (imageWriter.needsFlush) await imageWriter.flush();
  }
  await Promise.all([reviewWriter.close(), imageWriter.close()]);
  return { reviewRows: reviewWriter.rows, imageRows: imageWriter.rows };
}

/** Good products drift up a star, bad ones down, around the global J-shape. */
function drawRating(random: Random, productQuality: number): number {
  const rating = ratingSampler.sample(random) + 1;
  if (!random.chance(Math.min(0.35, 0.15 * Math.abs(productQuality)))) return rating;
  return Math.min(5, Math.max(1, rating + Math.sign(productQuality)));
}

/** Same buyer, product, rating and text resubmitted seconds to days later under a new id, with no votes yet. */
function duplicateOf(original: ReviewRow, reviewId: number, random: Random): ReviewRow {
  const createdAt = original.createdAt + MICROS_PER_SECOND + random.int(3 * MICROS_PER_DAY);
  return { ...original, reviewId, helpfulVotes: 0, totalVotes: 0, createdAt, updatedAt: createdAt };
}

function encodeReview(review: ReviewRow): string {
  return (
    `${review.reviewId},${review.productId},${review.buyerId},${review.rating},` +
    `${csvText(review.title)},${csvText(review.body)},${review.verified ? 'true' : 'false'},` +
    `${review.helpfulVotes},${review.totalVotes},${formatTimestamp(review.createdAt)},${formatTimestamp(review.updatedAt)}`
  );
}
