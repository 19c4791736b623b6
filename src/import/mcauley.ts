/**
 * The McAuley lab's Amazon review dumps, one JSON object per line, in the field names of
 * each release: 2014 (`reviewerID, asin, reviewerName, helpful: [helpful, total], overall,
 * summary, reviewText, unixReviewTime`), 2018 (+ `verified`, `vote: "12"`, `image: [url]`)
 * and 2023 (`user_id, asin / parent_asin, rating, title, text, helpful_vote,
 * verified_purchase, timestamp` in ms, `images: [{large_image_url, …}]`). Releases after
 * 2014 publish only the helpful votes, not the total: total_votes is then the helpful
 * count (what Amazon shows: "12 people found this helpful"). A line that is not a JSON
 * object is rejected as malformed and the reading goes on.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { plainText } from './plain-text.ts';
import { count, reject, stars, type ReadOutcome } from './source-review.ts';

type Json = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' ? v : v === undefined || v === null ? null : String(v));

function votes(o: Json): { helpful: number; total: number } | null {
  if (Array.isArray(o.helpful)) {
    const [h, t] = o.helpful as unknown[];
    const helpful = count(h);
    const total = count(t);
    return helpful === null || total === null ? null : { helpful, total };
  }
  const helpful = count(o.helpful_vote ?? o.vote ?? o.helpful);
  return helpful === null ? null : { helpful, total: helpful };
}

function verified(v: unknown): boolean {
  return v === true || (typeof v === 'string' && /^(true|y|yes|1)$/i.test(v.trim()));
}

/** Milliseconds: unixReviewTime in seconds, timestamp in ms (seconds when small), else reviewTime "MM DD, YYYY". */
function time(o: Json): number | null {
  if (o.unixReviewTime !== undefined && o.unixReviewTime !== null) {
    const s = Number(o.unixReviewTime);
    return Number.isFinite(s) && s > 0 ? s * 1000 : null;
  }
  if (o.timestamp !== undefined && o.timestamp !== null) {
    const t = Number(o.timestamp);
    return Number.isFinite(t) && t > 0 ? (t < 1e11 ? t * 1000 : t) : null;
  }
  const m = typeof o.reviewTime === 'string' ? /^(\d{1,2}) (\d{1,2}), (\d{4})$/.exec(o.reviewTime.trim()) : null;
  return m ? Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2])) : null;
}

function images(o: Json): string[] {
  const list = o.images ?? o.image;
  if (!Array.isArray(list)) return [];
  return list
    .map((i: unknown) => (typeof i === 'string' ? i : i && typeof i === 'object' ? text((i as Json).large_image_url ?? (i as Json).medium_image_url ?? (i as Json).small_image_url ?? (i as Json).url) : null))
    .filter((u): u is string => typeof u === 'string' && u.trim() !== '');
}

export async function* readMcAuley(input: Readable): AsyncGenerator<ReadOutcome> {
  let line = 0;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (raw.trim() === '') continue;
    let o: Json;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) { yield reject(line, 'malformed', 'not a JSON object'); continue; }
      o = parsed as Json;
    } catch (err) {
      yield reject(line, 'malformed', `invalid JSON: ${(err as Error).message}`);
      continue;
    }
    const productId = text(o.asin ?? o.parent_asin)?.trim();
    if (!productId) { yield reject(line, 'missing_product', 'no asin'); continue; }
    const reviewerId = text(o.reviewerID ?? o.user_id)?.trim();
    if (!reviewerId) { yield reject(line, 'missing_reviewer', 'no reviewerID / user_id'); continue; }
    const rating = stars(o.overall ?? o.rating);
    if (rating === null) { yield reject(line, 'invalid_rating', `overall ${JSON.stringify(o.overall ?? o.rating ?? null)} is not a whole number`); continue; }
    const v = votes(o);
    if (!v) { yield reject(line, 'invalid_votes', `votes ${JSON.stringify(o.helpful ?? o.helpful_vote ?? o.vote)} are not counts`); continue; }
    const createdAt = time(o);
    if (createdAt === null) { yield reject(line, 'invalid_time', 'no valid unixReviewTime / timestamp / reviewTime'); continue; }
    yield {
      kind: 'review',
      line,
      review: {
        reviewId: line,
        productId,
        reviewerId,
        reviewerName: plainText(text(o.reviewerName)),
        rating,
        title: plainText(text(o.summary ?? o.title)),
        body: plainText(text(o.reviewText ?? o.text)),
        helpfulVotes: v.helpful,
        totalVotes: v.total,
        verifiedPurchase: verified(o.verified ?? o.verified_purchase),
        createdAt,
        imageUrls: images(o),
      },
    };
  }
}
