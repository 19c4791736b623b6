/**
 * SNAP's "Amazon Fine Food Reviews" CSV (as published on Kaggle): `Id, ProductId, UserId,
 * ProfileName, HelpfulnessNumerator, HelpfulnessDenominator, Score, Time, Summary, Text`,
 * Time in unix seconds. Streamed with csv-parse; a record that does not parse or has the
 * wrong number of fields is rejected as malformed and the reading goes on.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ImportFormatError } from './formats.ts';
import { plainText } from './plain-text.ts';
import { count, reject, stars, type ReadOutcome } from './source-review.ts';

export const FINE_FOOD_COLUMNS = ['Id', 'ProductId', 'UserId', 'ProfileName', 'HelpfulnessNumerator', 'HelpfulnessDenominator', 'Score', 'Time', 'Summary', 'Text'] as const;

export async function* readFineFood(input: Readable, file: string): AsyncGenerator<ReadOutcome> {
  const skipped: ReadOutcome[] = [];
  const parser = input.pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (err) => {
        const line = (err as { lines?: number } | undefined)?.lines ?? 0;
        skipped.push(reject(line, 'malformed', err?.message ?? 'unparsable CSV record'));
        return undefined;
      },
    }),
  );
  type Column = (typeof FINE_FOOD_COLUMNS)[number];
  let index: Record<Column, number> | null = null;
  let headerLength = 0;
  const seenIds = new Set<number>();
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    while (skipped.length) yield skipped.shift()!;
    const line = info.lines;
    if (!index) {
      const missing = FINE_FOOD_COLUMNS.filter((c) => !record.includes(c));
      if (missing.length) throw new ImportFormatError(`${file}: not a SNAP Fine Food CSV: its header lacks ${missing.join(', ')}`);
      headerLength = record.length;
      index = Object.fromEntries(FINE_FOOD_COLUMNS.map((c) => [c, record.indexOf(c)])) as Record<Column, number>;
      continue;
    }
    if (record.length !== headerLength) {
      yield reject(line, 'malformed', `${record.length} fields, the header has ${headerLength}`);
      continue;
    }
    const field = (c: Column): string => record[index![c]] ?? '';
    const id = Number(field('Id'));
    if (!Number.isSafeInteger(id) || id <= 0) { yield reject(line, 'malformed', `Id ${JSON.stringify(field('Id'))} is not a positive integer`); continue; }
    if (seenIds.has(id)) { yield reject(line, 'duplicate_id', `Id ${id} appeared before`); continue; }
    seenIds.add(id);
    const productId = field('ProductId').trim();
    if (!productId) { yield reject(line, 'missing_product', `review ${id} has no ProductId`); continue; }
    const reviewerId = field('UserId').trim();
    if (!reviewerId) { yield reject(line, 'missing_reviewer', `review ${id} has no UserId`); continue; }
    const rating = stars(field('Score'));
    if (rating === null) { yield reject(line, 'invalid_rating', `review ${id}: Score ${JSON.stringify(field('Score'))} is not a whole number`); continue; }
    const helpful = count(field('HelpfulnessNumerator'));
    const total = count(field('HelpfulnessDenominator'));
    if (helpful === null || total === null) { yield reject(line, 'invalid_votes', `review ${id}: votes ${field('HelpfulnessNumerator')}/${field('HelpfulnessDenominator')}`); continue; }
    const seconds = Number(field('Time'));
    if (!Number.isSafeInteger(seconds) || seconds <= 0) { yield reject(line, 'invalid_time', `review ${id}: Time ${JSON.stringify(field('Time'))} is not a unix timestamp`); continue; }
    yield {
      kind: 'review',
      line,
      review: {
        reviewId: id,
        productId,
        reviewerId,
        reviewerName: plainText(field('ProfileName')),
        rating,
        title: plainText(field('Summary')),
        body: plainText(field('Text')),
        helpfulVotes: helpful,
        totalVotes: total,
        verifiedPurchase: false,
        createdAt: seconds * 1000,
        imageUrls: [],
      },
    };
  }
  while (skipped.length) yield skipped.shift()!;
  if (!index) throw new ImportFormatError(`${file}: empty file, no CSV header`);
}
