/**
 * Writes reviews of a public export as the `amazon` schema's CSV files (buyer, product,
 * review, review_image; the columns and order of the migration), for `build --seed-from`.
 * Reviews and images stream to disk as they come; buyers and products are written at the
 * end, because their created_at is their first review. Reviewers get whole-number buyer
 * ids in order of first appearance (the exports' ids are strings). The exports publish no
 * e-mail, country, product title, brand or price: those stay NULL, and a product's title
 * is its ASIN.
 */
import { join } from 'node:path';
import { csvNullable, csvText } from '../generate/csv.ts';
import { BUYER_COLUMNS } from '../generate/buyers.ts';
import { PRODUCT_COLUMNS } from '../generate/products.ts';
import { REVIEW_IMAGE_COLUMNS } from '../generate/review-images.ts';
import { REVIEW_COLUMNS } from '../generate/reviews.ts';
import { CsvFileWriter } from '../generate/writer.ts';
import type { SourceReview } from './source-review.ts';

export interface LayoutCounts {
  buyers: number;
  products: number;
  reviews: number;
  images: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class AmazonLayoutWriter {
  private readonly buyers = new Map<string, { id: number; name: string | null; first: number }>();
  private readonly products = new Map<string, number>();
  private nextImageId = 1;

  private constructor(
    private readonly outDir: string,
    private readonly category: string,
    private readonly reviews: CsvFileWriter,
    private readonly images: CsvFileWriter,
  ) {}

  static open(outDir: string, category: string): AmazonLayoutWriter {
    return new AmazonLayoutWriter(
      outDir,
      category,
      CsvFileWriter.open(join(outDir, 'review.csv'), REVIEW_COLUMNS),
      CsvFileWriter.open(join(outDir, 'review_image.csv'), REVIEW_IMAGE_COLUMNS),
    );
  }

  async add(r: SourceReview): Promise<void> {
    let buyer = this.buyers.get(r.reviewerId);
    if (!buyer) {
      buyer = { id: this.buyers.size + 1, name: r.reviewerName, first: r.createdAt };
      this.buyers.set(r.reviewerId, buyer);
    } else {
      if (r.createdAt < buyer.first) buyer.first = r.createdAt;
      buyer.name ??= r.reviewerName;
    }
    const firstOfProduct = this.products.get(r.productId);
    if (firstOfProduct === undefined || r.createdAt < firstOfProduct) this.products.set(r.productId, r.createdAt);
    const at = iso(r.createdAt);
    this.reviews.addRow([
      r.reviewId, csvText(r.productId), buyer.id, r.rating, csvText(r.title), csvText(r.body),
      r.verifiedPurchase, r.helpfulVotes, r.totalVotes, at, at,
    ].join(','));
    for (const url of r.imageUrls) {
      this.images.addRow([this.nextImageId++, r.reviewId, csvText(url), '', '', at].join(','));
    }
    if (this.reviews.needsFlush) await this.reviews.flush();
    if (this.images.needsFlush) await this.images.flush();
  }

  async close(): Promise<LayoutCounts> {
    await this.reviews.close();
    await this.images.close();
    const buyers = CsvFileWriter.open(join(this.outDir, 'buyer.csv'), BUYER_COLUMNS);
    for (const b of this.buyers.values()) {
      buyers.addRow([b.id, csvText(b.name ?? `Reviewer ${b.id}`), '', '', iso(b.first)].join(','));
      if (buyers.needsFlush) await buyers.flush();
    }
    await buyers.close();
    const products = CsvFileWriter.open(join(this.outDir, 'product.csv'), PRODUCT_COLUMNS);
    for (const [id, first] of this.products) {
      products.addRow([csvText(id), csvText(id), '', csvText(this.category), csvNullable(null), iso(first)].join(','));
      if (products.needsFlush) await products.flush();
    }
    await products.close();
    return { buyers: this.buyers.size, products: this.products.size, reviews: this.reviews.rows, images: this.images.rows };
  }
}
