/**
 * One review as the public exports describe it, before it is given the `amazon` schema's
 * keys: what each format reader yields, and what the layout writer turns into CSV rows.
 */
export interface SourceReview {
  /** The export's own numeric review id (SNAP's `Id`); the line number when it has none. */
  reviewId: number;
  productId: string;
  reviewerId: string;
  reviewerName: string | null;
  rating: number;
  title: string | null;
  body: string | null;
  helpfulVotes: number;
  totalVotes: number;
  verifiedPurchase: boolean;
  /** Milliseconds since the epoch. */
  createdAt: number;
  imageUrls: string[];
}

/** Why a record of an export cannot become a review row. */
export type RejectReason =
  | 'malformed'
  | 'missing_product'
  | 'missing_reviewer'
  | 'invalid_rating'
  | 'invalid_votes'
  | 'invalid_time'
  | 'duplicate_id';

/** What a format reader yields per record: a review, or a rejection naming its line. */
export type ReadOutcome =
  | { kind: 'review'; line: number; review: SourceReview }
  | { kind: 'reject'; line: number; reason: RejectReason; detail: string };

export const reject = (line: number, reason: RejectReason, detail: string): ReadOutcome => ({ kind: 'reject', line, reason, detail });

/** A whole, non-negative number from a field that may be a number or a numeric string ("1,234"). */
export function count(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(String(value).replaceAll(',', '').trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** A star rating: a whole number (exports write 5 or 5.0); the range is silver's to judge. */
export function stars(value: unknown): number | null {
  if (value === undefined || value === null || String(value).trim() === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && Math.abs(n) < 32_768 ? n : null;
}
