import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { deriveSeed, Random } from './random.ts';
import { writeBuyers } from './buyers.ts';
import { writeProducts } from './products.ts';
import { writeReviews } from './reviews.ts';

export interface GenerateOptions {
  reviews: number;
  seed: number;
  outDir: string;
}

export interface GeneratedFile {
  table: 'buyer' | 'product' | 'review' | 'review_image';
  path: string;
  rows: number;
}

/**
 * Writes a synthetic Amazon-reviews data set as CSV files named after the amazon.* tables,
 * with a header row and the tables' column order. The bytes depend only on (reviews, seed).
 */
export async function generateDataset(opts: GenerateOptions): Promise<GeneratedFile[]> {
  if (!Number.isSafeInteger(opts.reviews) || opts.reviews < 0) {
    throw new RangeError(`reviews must be a non-negative integer, got ${opts.reviews}`);
  }
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  await mkdir(opts.outDir, { recursive: true });

  const paths = {
    buyer: join(opts.outDir, 'buyer.csv'),
    product: join(opts.outDir, 'product.csv'),
    review: join(opts.outDir, 'review.csv'),
    review_image: join(opts.outDir, 'review_image.csv'),
  };
  const buyers = await writeBuyers(paths.buyer, Math.max(50, Math.round(opts.reviews / 4)), streamFor(opts.seed, 'buyer'));
  const products = await writeProducts(paths.product, Math.max(20, Math.round(opts.reviews / 20)), streamFor(opts.seed, 'product'));
  const reviews = await writeReviews(
    { reviews: paths.review, images: paths.review_image },
    opts.reviews,
    { products: products.pool, buyers: buyers.pool },
    streamFor(opts.seed, 'review'),
  );
  return [
    { table: 'buyer', path: paths.buyer, rows: buyers.rows },
    { table: 'product', path: paths.product, rows: products.rows },
    { table: 'review', path: paths.review, rows: reviews.reviewRows },
    { table: 'review_image', path: paths.review_image, rows: reviews.imageRows },
  ];
}

function streamFor(seed: number, table: string): Random {
  return new Random(deriveSeed(seed, table));
}
