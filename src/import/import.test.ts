import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { ImportFormatError, importReviews } from './index.ts';
import { plainText } from './plain-text.ts';

const REPO = join(import.meta.dirname, '..', '..');
const EXTERNAL = join(REPO, '..', 'shared', 'external');
const FINE_FOOD = join(EXTERNAL, 'amazon_fine_food', 'reviews.csv');
const MCAULEY = join(REPO, 'spec', 'fixtures', 'mcauley', 'reviews.jsonl');

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'strata-import-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const table = (dir: string, name: string): Record<string, string>[] =>
  parse(readFileSync(join(dir, `${name}.csv`), 'utf8'), { columns: true }) as Record<string, string>[];

test('SNAP Fine Food: every valid review kept, the two without stars rejected with their line', async () => {
  const out = tempDir();
  const s = await importReviews({ file: FINE_FOOD, outDir: out });
  assert.equal(s.format, 'fine-food');
  assert.equal(s.read, 4098);
  assert.equal(s.kept, 4096);
  assert.equal(s.rejected, 2);
  assert.deepEqual(s.rejectedByReason, { invalid_rating: 2 });
  assert.deepEqual(s.examples.map((e) => e.detail), ['review 4935: Score "" is not a whole number', 'review 4957: Score "" is not a whole number']);
  assert.deepEqual(s.written, { buyers: 3939, products: 596, reviews: 4096, images: 0 });

  const reviews = table(out, 'review');
  assert.equal(reviews.length, 4096);
  assert.deepEqual(Object.keys(reviews[0]!), ['review_id', 'product_id', 'buyer_id', 'rating', 'title', 'body', 'verified_purchase', 'helpful_votes', 'total_votes', 'created_at', 'updated_at']);
  const first = reviews[0]!;
  assert.deepEqual({ ...first, body: first.body!.slice(0, 40) }, {
    review_id: '1', product_id: 'B001E4KFG0', buyer_id: '1', rating: '5', title: 'Good Quality Dog Food',
    body: 'I have bought several of the Vitality ca', verified_purchase: 'false', helpful_votes: '1', total_votes: '1',
    created_at: '2011-04-27T00:00:00.000Z', updated_at: '2011-04-27T00:00:00.000Z',
  });
  assert.ok(!reviews.some((r) => /<br|&quot;|<a /.test(r.body!)), 'HTML is gone from every body');
  assert.ok(reviews.filter((r) => r.body!.includes('\n')).length > 900, '<br /> became line breaks');
  const buyers = table(out, 'buyer');
  assert.deepEqual(buyers[0], { buyer_id: '1', name: 'delmartian', email: '', country: '', created_at: '2011-04-27T00:00:00.000Z' });
  const products = table(out, 'product');
  assert.deepEqual(products[0], { product_id: 'B001E4KFG0', title: 'B001E4KFG0', brand: '', category: 'Grocery & Gourmet Food', price: '', created_at: '2011-04-27T00:00:00.000Z' });
});

test('McAuley JSON lines (2014, 2018 and 2023 fields): every field mapped, bad lines counted and reported', async () => {
  const out = tempDir();
  const s = await importReviews({ file: MCAULEY, outDir: out, category: 'Books' });
  assert.equal(s.format, 'mcauley');
  assert.equal(s.read, 9, 'the blank line is not a record');
  assert.equal(s.kept, 4);
  assert.deepEqual(s.rejectedByReason, { malformed: 2, missing_product: 1, invalid_rating: 1, invalid_time: 1 });
  assert.deepEqual(s.examples.map((e) => [e.line, e.reason]), [[5, 'malformed'], [6, 'missing_product'], [7, 'invalid_rating'], [9, 'invalid_time'], [10, 'malformed']]);
  assert.deepEqual(s.written, { buyers: 3, products: 3, reviews: 4, images: 3 });

  assert.deepEqual(table(out, 'review'), [
    {
      review_id: '1', product_id: '0000013714', buyer_id: '1', rating: '5', title: 'Heavenly Highway Hymns',
      body: 'I bought this for my husband who plays the piano. He is having a wonderful time playing these old hymns.\nThe music is at times hard to read & the print is small.',
      verified_purchase: 'false', helpful_votes: '2', total_votes: '3', created_at: '2009-09-13T00:00:00.000Z', updated_at: '2009-09-13T00:00:00.000Z',
    },
    {
      review_id: '2', product_id: 'B00005N7P0', buyer_id: '2', rating: '2', title: 'Falls apart', body: 'Pretty cover, but the binding fell apart after a week.',
      verified_purchase: 'true', helpful_votes: '1234', total_votes: '1234', created_at: '2016-10-24T00:00:00.000Z', updated_at: '2016-10-24T00:00:00.000Z',
    },
    {
      review_id: '3', product_id: 'B01N0TQ0OH', buyer_id: '3', rating: '4', title: 'Works as described', body: 'Charges fast. The cable is short.',
      verified_purchase: 'false', helpful_votes: '0', total_votes: '0', created_at: '2020-05-05T14:08:48.923Z', updated_at: '2020-05-05T14:08:48.923Z',
    },
    {
      review_id: '4', product_id: 'B00005N7P0', buyer_id: '1', rating: '1', title: 'Broken', body: 'Arrived broken.',
      verified_purchase: 'false', helpful_votes: '0', total_votes: '0', created_at: '2010-01-01T00:00:00.000Z', updated_at: '2010-01-01T00:00:00.000Z',
    },
  ]);
  assert.deepEqual(table(out, 'buyer'), [
    { buyer_id: '1', name: 'J. McDonald', email: '', country: '', created_at: '2009-09-13T00:00:00.000Z' },
    { buyer_id: '2', name: 'Sam', email: '', country: '', created_at: '2016-10-24T00:00:00.000Z' },
    { buyer_id: '3', name: 'Reviewer 3', email: '', country: '', created_at: '2020-05-05T14:08:48.923Z' },
  ]);
  assert.deepEqual(table(out, 'product'), [
    { product_id: '0000013714', title: '0000013714', brand: '', category: 'Books', price: '', created_at: '2009-09-13T00:00:00.000Z' },
    { product_id: 'B00005N7P0', title: 'B00005N7P0', brand: '', category: 'Books', price: '', created_at: '2010-01-01T00:00:00.000Z' },
    { product_id: 'B01N0TQ0OH', title: 'B01N0TQ0OH', brand: '', category: 'Books', price: '', created_at: '2020-05-05T14:08:48.923Z' },
  ]);
  assert.deepEqual(table(out, 'review_image').map((i) => [i.image_id, i.review_id, i.url, i.width, i.created_at]), [
    ['1', '2', 'https://images-na.ssl-images-amazon.com/images/I/71a.jpg', '', '2016-10-24T00:00:00.000Z'],
    ['2', '2', 'https://images-na.ssl-images-amazon.com/images/I/71b.jpg', '', '2016-10-24T00:00:00.000Z'],
    ['3', '3', 'https://m.media-amazon.com/images/I/l.jpg', '', '2020-05-05T14:08:48.923Z'],
  ]);
});

test('a gzipped export reads the same', async () => {
  const gz = join(tempDir(), 'reviews.jsonl.gz');
  writeFileSync(gz, gzipSync(readFileSync(MCAULEY)));
  const s = await importReviews({ file: gz, outDir: tempDir() });
  assert.equal(s.format, 'mcauley');
  assert.deepEqual([s.read, s.kept, s.rejected], [9, 4, 5]);
});

test('a CSV that is not SNAP Fine Food (the rated sentences) is refused, naming the file and the missing columns', async () => {
  const file = join(EXTERNAL, 'sentiment', 'amazonReviewSnippets_GroundTruth.txt');
  await assert.rejects(importReviews({ file, outDir: tempDir(), format: 'fine-food' }), (err: unknown) => {
    assert.ok(err instanceof ImportFormatError);
    assert.match(err.message, /amazonReviewSnippets_GroundTruth\.txt: not a SNAP Fine Food CSV: its header lacks Id, ProductId/);
    return true;
  });
  await assert.rejects(importReviews({ file: join(tempDir(), 'missing.csv'), outDir: tempDir() }), /missing\.csv: no such file/);
});

test('a broken CSV record is counted as malformed and the import goes on', async () => {
  const dir = tempDir();
  const file = join(dir, 'reviews.csv');
  writeFileSync(file, [
    'Id,ProductId,UserId,ProfileName,HelpfulnessNumerator,HelpfulnessDenominator,Score,Time,Summary,Text',
    '1,P1,U1,Ann,0,0,5,1300000000,Good,Fine.',
    '2,P1,U2,Bob,0,0,4,1300000000,Too many,fields,here',
    '3,P1,U3,Cy,x,0,4,1300000000,Bad votes,Text',
    '1,P1,U4,Di,0,0,4,1300000000,Same id,Text',
    '5,P2,U5,Ed,1,2,3,1300000000,Ok,"Last one"',
  ].join('\n') + '\n');
  const s = await importReviews({ file, outDir: join(dir, 'out') });
  assert.deepEqual([s.read, s.kept], [5, 2]);
  assert.deepEqual(s.rejectedByReason, { malformed: 1, invalid_votes: 1, duplicate_id: 1 });
  assert.deepEqual(s.examples.map((e) => e.line), [3, 4, 5]);
});

test('plain text: line breaks, links and entities', () => {
  assert.equal(plainText('a<br />b<br/>c'), 'a\nb\nc');
  assert.equal(plainText('see <a href="http://www.amazon.com/gp/product/B1">Twizzlers</a>!'), 'see Twizzlers!');
  assert.equal(plainText('5&quot; &amp; 3&#8243; &ntilde; &bogus;'), '5" & 3″ ñ &bogus;');
  assert.equal(plainText('  <br />  '), null);
  assert.equal(plainText(null), null);
});
