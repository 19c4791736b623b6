import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDataset } from './index.ts';
import type { GeneratedFile } from './index.ts';
import { parseCsvTable } from './test-support.ts';

type Row = Record<string, string | null>;
const TABLES = ['buyer', 'product', 'review', 'review_image'] as const;
const REVIEWS = 5000;

let workDir = '';
let files: GeneratedFile[] = [];
const raw: Record<string, string> = {};
const rows: Record<string, Row[]> = {};
const headers: Record<string, string[]> = {};

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'strata-generate-'));
  files = await generateDataset({ reviews: REVIEWS, seed: 7, outDir: join(workDir, 'a') });
  for (const table of TABLES) {
    raw[table] = await readFile(join(workDir, 'a', `${table}.csv`), 'utf8');
    const parsed = parseCsvTable(raw[table]);
    rows[table] = parsed.rows;
    headers[table] = parsed.columns;
  }
});

after(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function column(table: string, name: string): (string | null)[] {
  return (rows[table] ?? []).map((row) => row[name] ?? null);
}

function share(values: readonly unknown[], predicate: (value: never) => boolean): number {
  return values.filter((value) => predicate(value as never)).length / values.length;
}

test('the same (reviews, seed) gives identical bytes; another seed gives other data', async () => {
  await generateDataset({ reviews: REVIEWS, seed: 7, outDir: join(workDir, 'b') });
  await generateDataset({ reviews: REVIEWS, seed: 8, outDir: join(workDir, 'c') });
  for (const table of TABLES) {
    const again = await readFile(join(workDir, 'b', `${table}.csv`), 'utf8');
    assert.ok(again === raw[table], `${table}.csv differs between two runs with the same seed`);
    const other = await readFile(join(workDir, 'c', `${table}.csv`), 'utf8');
    assert.ok(other !== raw[table], `${table}.csv is the same for seeds 7 and 8`);
  }
});

test('reports one file per table with the row counts it wrote', () => {
  assert.deepEqual(
    files.map((file) => file.table),
    ['buyer', 'product', 'review', 'review_image'],
  );
  for (const file of files) {
    assert.equal(file.path, join(workDir, 'a', `${file.table}.csv`));
    assert.equal(file.rows, rows[file.table]?.length);
  }
  assert.equal(rows.review?.length, REVIEWS);
  assert.equal(rows.product?.length, REVIEWS / 20);
  assert.equal(rows.buyer?.length, REVIEWS / 4);
});

test('headers are exactly the amazon.* table columns, in migration order', async () => {
  const migration = await readFile(new URL('../../migrations/1_create_amazon_schema.sql', import.meta.url), 'utf8');
  for (const table of TABLES) {
    const definition = new RegExp(`create table amazon\\.${table} \\(([\\s\\S]*?)\\n\\);`).exec(migration);
    assert.ok(definition, `no create table for amazon.${table}`);
    const columns = (definition[1] ?? '')
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter((name) => /^[a-z_]+$/.test(name) && !['primary', 'unique', 'foreign', 'constraint', 'check'].includes(name));
    assert.deepEqual(headers[table], columns, table);
  }
});

test('keys are unique and well-formed, and every reference resolves', () => {
  const productIds = new Set(column('product', 'product_id'));
  const buyerIds = new Set(column('buyer', 'buyer_id'));
  const reviewIds = new Set(column('review', 'review_id'));
  assert.equal(productIds.size, rows.product?.length);
  assert.equal(buyerIds.size, rows.buyer?.length);
  assert.equal(reviewIds.size, rows.review?.length);
  assert.equal(new Set(column('review_image', 'image_id')).size, rows.review_image?.length);
  for (const id of productIds) assert.match(id ?? '', /^B0[0-9A-Z]{8}$/);
  for (const id of [...buyerIds, ...reviewIds, ...column('review_image', 'image_id')]) assert.match(id ?? '', /^[1-9]\d*$/);
  for (const review of rows.review ?? []) {
    assert.ok(productIds.has(review.product_id ?? null), `review ${review.review_id}: unknown product ${review.product_id}`);
    assert.ok(buyerIds.has(review.buyer_id ?? null), `review ${review.review_id}: unknown buyer ${review.buyer_id}`);
  }
  for (const image of rows.review_image ?? []) assert.ok(reviewIds.has(image.review_id ?? null), `image ${image.image_id}: unknown review`);
});

test('ratings follow the J-shape, apart from a few out-of-range rows', () => {
  const ratings = column('review', 'rating').map(Number);
  const shareOf = (stars: number): number => share(ratings, (rating: number) => rating === stars);
  const expected: Record<number, number> = { 1: 0.1, 2: 0.06, 3: 0.09, 4: 0.2, 5: 0.55 };
  for (const [stars, target] of Object.entries(expected)) {
    assert.ok(Math.abs(shareOf(Number(stars)) - target) < 0.035, `${stars}★ share ${shareOf(Number(stars))}, expected ≈ ${target}`);
  }
  assert.ok(shareOf(5) > shareOf(4) && shareOf(4) > shareOf(1) && shareOf(1) > shareOf(2), 'J-shape order');
});

test('each kind of dirty review row is present, about 1–2% in all', () => {
  const reviews = rows.review ?? [];
  const outOfRange = reviews.filter((review) => !['1', '2', '3', '4', '5'].includes(review.rating ?? ''));
  const blank = reviews.filter((review) => (review.body ?? '').trim() === '');
  const firstSeen = new Map<string, Row>();
  const duplicates: Row[] = [];
  for (const review of reviews) {
    const key = JSON.stringify([review.buyer_id, review.product_id, review.title, review.body]);
    const original = firstSeen.get(key);
    if (original && review.body && review.body.trim() !== '') {
      duplicates.push(review);
      assert.notEqual(review.review_id, original.review_id);
      assert.ok((review.created_at ?? '') > (original.created_at ?? ''), 'a duplicate is created later');
    } else firstSeen.set(key, review);
  }
  assert.ok(outOfRange.length > 0 && outOfRange.every((review) => ['0', '6', '-1'].includes(review.rating ?? '')));
  assert.ok(blank.some((review) => review.body === ''), 'an empty-string body');
  assert.ok(blank.some((review) => (review.body ?? '').length > 0), 'a whitespace-only body');
  assert.ok(duplicates.length > 0, 'exact duplicates');
  const dirtyShare = (outOfRange.length + blank.length + duplicates.length) / reviews.length;
  assert.ok(dirtyShare > 0.008 && dirtyShare < 0.025, `dirty share ${dirtyShare}`);
});

test('timestamps: 2019–2025, created_at <= updated_at, a few edited reviews, images after their review', () => {
  const reviews = rows.review ?? [];
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
  for (const review of reviews) {
    const created = review.created_at ?? '';
    const updated = review.updated_at ?? '';
    assert.match(created, iso);
    assert.match(updated, iso);
    assert.ok(created <= updated, `review ${review.review_id}: created ${created} > updated ${updated}`);
    assert.ok(created >= '2019-01-01' && updated < '2026-01-01', `review ${review.review_id} outside 2019–2025`);
  }
  const edited = share(reviews, (review: Row) => review.created_at !== review.updated_at);
  assert.ok(edited > 0.02 && edited < 0.07, `edited share ${edited}`);
  const createdByReview = new Map(reviews.map((review) => [review.review_id, review.created_at ?? '']));
  for (const image of rows.review_image ?? []) assert.ok((image.created_at ?? '') >= (createdByReview.get(image.review_id ?? null) ?? ''));
});

test('about 8% of reviews have 1–4 images with per-review URLs', () => {
  const perReview = new Map<string, Row[]>();
  for (const image of rows.review_image ?? []) perReview.set(image.review_id ?? '', [...(perReview.get(image.review_id ?? '') ?? []), image]);
  const illustrated = perReview.size / REVIEWS;
  assert.ok(illustrated > 0.055 && illustrated < 0.11, `illustrated share ${illustrated}`);
  for (const [reviewId, images] of perReview) {
    assert.ok(images.length >= 1 && images.length <= 4);
    images.forEach((image, i) => assert.equal(image.url, `https://images.example.com/r/${reviewId}/${i + 1}.jpg`));
  }
  assert.ok(column('review_image', 'width').some((width) => width === null), 'some images without dimensions');
});

test('votes: mostly none, helpful <= total, better reviews voted more helpful', () => {
  const reviews = rows.review ?? [];
  for (const review of reviews) {
    const helpful = Number(review.helpful_votes);
    const total = Number(review.total_votes);
    assert.ok(Number.isInteger(helpful) && helpful >= 0 && helpful <= total, `review ${review.review_id}: ${helpful}/${total}`);
  }
  const unvoted = share(reviews, (review: Row) => review.total_votes === '0');
  assert.ok(unvoted > 0.6 && unvoted < 0.95, `share without votes ${unvoted}`);
  const meanHelpful = (subset: Row[]): number => subset.reduce((sum, review) => sum + Number(review.helpful_votes), 0) / subset.length;
  const long = reviews.filter((review) => (review.body ?? '').length > 500);
  const oneLiners = reviews.filter((review) => (review.body ?? '').length < 80);
  assert.ok(meanHelpful(long) > 2 * meanHelpful(oneLiners), `long ${meanHelpful(long)} vs short ${meanHelpful(oneLiners)}`);
  const verified = share(reviews, (review: Row) => review.verified_purchase === 'true');
  assert.ok(verified > 0.75 && verified < 0.85, `verified share ${verified}`);
  assert.ok(reviews.every((review) => review.verified_purchase === 'true' || review.verified_purchase === 'false'));
});

test('popularity is skewed: few products and buyers account for many reviews', () => {
  const countBy = (name: string): number[] => {
    const counts = new Map<string | null, number>();
    for (const value of column('review', name)) counts.set(value, (counts.get(value) ?? 0) + 1);
    return [...counts.values()].sort((a, b) => b - a);
  };
  const productCounts = countBy('product_id');
  const topTenthOfCatalogue = productCounts.slice(0, (rows.product?.length ?? 0) / 10).reduce((sum, count) => sum + count, 0);
  assert.ok(topTenthOfCatalogue / REVIEWS > 0.5, `top 10% of products hold ${topTenthOfCatalogue / REVIEWS}`);
  const buyerCounts = countBy('buyer_id');
  assert.ok((buyerCounts[0] ?? 0) >= 20, `most active buyer wrote ${buyerCounts[0]}`);
  assert.ok(buyerCounts.filter((count) => count === 1).length > 100, 'a long tail of one-review buyers');
});

test('products and buyers carry the intended mess: category spellings, NULL prices, emails and countries', () => {
  const categories = column('product', 'category');
  const normalised = new Set(categories.map((category) => (category ?? '').trim().toLowerCase().replace(/\s+/g, ' ')));
  assert.ok(new Set(categories).size > normalised.size, 'several spellings per category');
  assert.ok(normalised.has('home & kitchen') && normalised.has('electronics'));
  assert.ok(normalised.size <= 12);
  assert.ok(categories.some((category) => category !== null && category !== category.trim()), 'padded labels');
  const prices = column('product', 'price');
  assert.ok(prices.some((price) => price === null), 'some NULL prices');
  for (const price of prices) if (price !== null) assert.match(price, /^\d{1,8}\.\d{2}$/);
  assert.ok(column('buyer', 'email').some((email) => email === null), 'some NULL emails');
  const countries = column('buyer', 'country');
  assert.ok(countries.some((country) => country === null), 'some NULL countries');
  for (const country of countries) if (country !== null) assert.match(country, /^[A-Z]{2}$/);
});

test('review text exercises CSV quoting: commas, double quotes and line breaks inside fields', () => {
  const bodies = column('review', 'body');
  assert.ok(bodies.some((body) => body?.includes('\n')));
  assert.ok(bodies.some((body) => body?.includes('"')));
  assert.ok(bodies.some((body) => body?.includes(',')));
  assert.ok(raw.review?.includes('""'));
});

test('zero reviews still writes headers and the minimum catalogue; bad options are refused', async () => {
  const empty = await generateDataset({ reviews: 0, seed: 1, outDir: join(workDir, 'empty') });
  assert.deepEqual(
    empty.map((file) => file.rows),
    [50, 20, 0, 0],
  );
  assert.equal((await readFile(join(workDir, 'empty', 'review.csv'), 'utf8')).split('\n')[0], headers.review?.join(','));
  await assert.rejects(generateDataset({ reviews: -1, seed: 1, outDir: join(workDir, 'bad') }), RangeError);
  await assert.rejects(generateDataset({ reviews: 10, seed: 1.5, outDir: join(workDir, 'bad') }), RangeError);
});
