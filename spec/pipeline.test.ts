/**
 * The Amazon Reviews pipeline end to end, on both engines: the committed sample builds
 * with every data test passing; nothing disappears between the layers; an incremental
 * re-run merges only the changed reviews into fact_reviews; dirty rows are rejected with
 * their reason and orphaned images are reported.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyProject, csv, events, runCli, targets, withEngine, type TestTarget } from './support.ts';

interface RunResult {
  kind: 'model' | 'test';
  name: string;
  status: string;
  rows?: number | null;
  merged?: number | null;
}

function runResults(project: string): { status: string; published: boolean; results: RunResult[] } {
  return JSON.parse(readFileSync(join(project, 'target', 'run_results.json'), 'utf8'));
}

/** Every model built and every data test passed (warnings too, unless `allowWarn`). */
function assertAllPassed(project: string, output: string, { allowWarn = false } = {}): RunResult[] {
  const run = runResults(project);
  const ok = (r: RunResult): boolean =>
    r.kind === 'model' ? r.status === 'success' : r.status === 'pass' || (allowWarn && r.status === 'warn');
  const bad = run.results.filter((r) => !ok(r));
  assert.deepEqual(bad.map((r) => `${r.kind} ${r.name}: ${r.status}`), [], output);
  assert.equal(run.published, true);
  assert.ok(run.results.filter((r) => r.kind === 'test').length >= 50, 'the project declares its data tests');
  return run.results;
}

async function query<T = Record<string, unknown>>(target: TestTarget, sql: string): Promise<T[]> {
  return withEngine(target, async (db) => (await db.query<T>(sql)).rows);
}

const num = (v: unknown): number => Number(v);

for (const factory of targets()) {
  describe(`amazon reviews pipeline on ${factory.name}`, () => {
    let target: TestTarget;
    let project: string;
    before(async () => {
      target = await factory.create();
      project = copyProject();
    });
    after(async () => {
      await target?.cleanup();
      rmSync(project, { recursive: true, force: true });
    });

    test('the committed sample builds and passes every data test', async () => {
      // Sample data loads only when asked (the embedded quick start would load it on its own).
      const seeded = await runCli(['seed', '--sample'], { projectDir: project, target });
      assert.equal(seeded.code, 0, seeded.stdout + seeded.stderr);
      const r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const results = assertAllPassed(project, r.stdout);
      for (const model of ['bronze_review', 'silver_reviews', 'rejected_reviews', 'fact_reviews', 'dim_product', 'dim_buyer', 'product_top_reviews']) {
        assert.ok(results.some((x) => x.kind === 'model' && x.name === model), `model ${model} ran`);
      }

      const [counts] = await query<Record<string, string | number>>(target, `
        select (select count(*) from bronze.bronze_review) as bronze,
               (select count(*) from silver.silver_reviews) as silver,
               (select count(*) from silver.rejected_reviews) as rejected,
               (select count(*) from gold.fact_reviews) as gold,
               (select count(*) from gold.dim_product) as products,
               (select count(*) from bronze.bronze_product) as bronze_products,
               (select count(*) from bronze.bronze_review_image) as images,
               (select count(*) from silver.silver_review_images) + (select count(*) from silver.orphan_review_images) as images_accounted`);
      assert.equal(num(counts!.bronze), 3000);
      assert.equal(num(counts!.bronze), num(counts!.silver) + num(counts!.rejected), 'nothing disappears in silver');
      assert.ok(num(counts!.rejected) > 0, 'the sample holds dirty rows');
      assert.equal(num(counts!.gold), num(counts!.silver), 'every valid review reaches gold');
      assert.equal(num(counts!.products), num(counts!.bronze_products));
      assert.equal(num(counts!.images), num(counts!.images_accounted));

      // Messy category spellings collapse to one clean label each.
      const categories = await query<{ category: string; spellings: string | number }>(target, `
        select s.category, count(distinct b.category) as spellings
        from silver.silver_products s join bronze.bronze_product b using (product_id)
        group by s.category order by s.category`);
      assert.ok(categories.some((c) => c.category === 'Electronics' && num(c.spellings) > 1), JSON.stringify(categories));
      for (const c of categories) assert.match(c.category, /^[A-Z][^\s]*( [^\s]+)*$/, `clean label ${JSON.stringify(c.category)}`);

      // Gold is consistent: scores in range, top reviews ranked, most helpful review is rank 1.
      const [gold] = await query<Record<string, string | number>>(target, `
        select min(helpfulness_score) as lo, max(helpfulness_score) as hi,
               (select count(*) from gold.product_top_reviews where rank_in_product = 1) as top1,
               (select count(*) from gold.dim_product where review_count > 0) as reviewed,
               (select count(*) from gold.dim_product p join gold.review_rank k on k.review_id = p.most_helpful_review_id
                 where k.rank_in_product <> 1 or k.product_id <> p.product_id) as wrong_top,
               (select max(n) from (select count(*) as n from gold.product_top_reviews where in_top_overall group by product_id) x) as max_per_product
        from gold.review_rank`);
      assert.ok(num(gold!.lo) >= 0 && num(gold!.hi) <= 100 && num(gold!.hi) > num(gold!.lo), JSON.stringify(gold));
      assert.equal(num(gold!.top1), num(gold!.reviewed));
      assert.equal(num(gold!.wrong_top), 0);
      assert.equal(num(gold!.max_per_product), 5, 'top_n_reviews defaults to 5');
    });

    test('an incremental re-run merges only the updated and the new review into fact_reviews', async () => {
      const before = await query<{ review_id: string; row: string }>(target, `
        select review_id::text, md5(f::text) as row from gold.fact_reviews f order by review_id`);
      const [picked] = await query<{ review_id: string; product_id: string; buyer_id: string; batch: string }>(target, `
        select f.review_id::text, f.product_id, f.buyer_id::text, f._batch_id as batch
        from gold.fact_reviews f where f.total_votes = 0 and not f.is_blank_text order by f.review_id limit 1`);
      assert.ok(picked);
      const [scoreBefore] = await query<{ score: string }>(target, `select helpfulness_score::text as score from gold.review_rank where review_id = ${picked.review_id}`);
      {
        // The shop edits one review (new votes, later updated_at) and receives a new one.
        const newId = 199999999;
        await withEngine(target, async (db) => {
          await db.query(`update amazon.review set helpful_votes = 40, total_votes = 45, updated_at = '2026-02-01T12:00:00Z' where review_id = ${picked.review_id}`);
          await db.query(
            `insert into amazon.review (review_id, product_id, buyer_id, rating, title, body, verified_purchase, helpful_votes, total_votes, created_at, updated_at)
             values ($1, $2, $3, 5, 'Brand new review', 'Arrived yesterday. Works great, I love it.', true, 0, 0, '2026-02-01T10:00:00Z', '2026-02-01T10:00:00Z')`,
            [newId, picked.product_id, picked.buyer_id],
          );
        });

        const r = await runCli(['build', '--json'], { projectDir: project, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assertAllPassed(project, r.stdout);
        const factEnd = events(r.stdout).find((e) => e.event === 'model_end' && e.model === 'fact_reviews');
        assert.equal(factEnd?.merged, 2, JSON.stringify(factEnd));
        // The models did not change, only their data: the unit tests that passed with them are not run again.
        assert.deepEqual(events(r.stdout).filter((e) => e.event === 'unit_test_end'), []);
        const fromArtifact = runResults(project).results.find((x) => x.kind === 'model' && x.name === 'fact_reviews');
        assert.equal(fromArtifact?.merged, 2);
        assert.equal(fromArtifact?.rows, before.length + 1);

        const afterRows = await query<{ review_id: string; row: string }>(target, `
          select review_id::text, md5(f::text) as row from gold.fact_reviews f order by review_id`);
        const beforeMap = new Map(before.map((x) => [x.review_id, x.row]));
        const changed = afterRows.filter((x) => beforeMap.get(x.review_id) !== x.row).map((x) => x.review_id);
        assert.deepEqual(changed.sort(), [picked.review_id, String(newId)].sort(), 'every other fact row is untouched');

        const [updated] = await query<{ helpful_votes: number; votes_component: string; batch: string; rank: string }>(target, `
          select f.helpful_votes, f.votes_component::text, f._batch_id as batch, k.rank_in_product::text as rank
          from gold.fact_reviews f join gold.review_rank k using (review_id) where f.review_id = ${picked.review_id}`);
        assert.equal(num(updated!.helpful_votes), 40);
        assert.ok(num(updated!.votes_component) > 0.7, 'the new votes are scored');
        assert.notEqual(updated!.batch, picked.batch, 'rescored in the new batch');
        const [kept] = await query<{ n: string | number }>(target, `
          select count(*) as n from gold.fact_reviews where _batch_id = '${picked.batch}'`);
        assert.equal(num(kept!.n), before.length - 1, 'untouched rows keep the batch that scored them');
        // Scores and ranks are rebuilt downstream from the merged fact: they see the new votes.
        const ranked = await query<{ review_id: string; score: string }>(target, `
          select k.review_id::text, k.helpfulness_score::text as score from gold.review_rank k
          where k.review_id in (${newId}, ${picked.review_id}) order by k.review_id`);
        assert.deepEqual(ranked.map((x) => x.review_id), [picked.review_id, String(newId)]);
        assert.ok(num(ranked[0]!.score) > num(scoreBefore!.score), `40 of 45 helpful votes raise the score (${scoreBefore!.score} → ${ranked[0]!.score})`);
      }
    });

    test('dirty rows land in rejected_reviews with a reason, orphaned images are reported', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'strata-dirty-'));
      try {
        const t = (day: number, hour = 12): string => `2025-06-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
        writeFileSync(join(dir, 'buyer.csv'), csv(['buyer_id', 'name', 'email', 'country', 'created_at'], [
          [1, '  Ada   Lovelace ', ' ADA@Example.com ', 'gb', '2020-01-01T00:00:00Z'],
          [2, 'Alan Turing', '', 'GB', '2020-01-01T00:00:00Z'],
          [3, 'Grace Hopper', 'grace@example.com', 'us ', '2020-01-01T00:00:00Z'],
        ]));
        writeFileSync(join(dir, 'product.csv'), csv(['product_id', 'title', 'brand', 'category', 'price', 'created_at'], [
          ['P1', 'Kettle', 'Acme', ' electronics', 9.99, '2020-01-01T00:00:00Z'],
          ['P2', 'Toaster', 'Acme', 'ELECTRONICS ', 19.99, '2020-01-01T00:00:00Z'],
          ['P3', 'Pan', null, 'home &  kitchen', 29.99, '2020-01-01T00:00:00Z'],
          ['P4', 'Pot', 'Acme', 'Home & Kitchen', null, '2020-01-01T00:00:00Z'],
          ['P5', 'Radio', 'Acme', 'Electronics', 39.99, '2020-01-01T00:00:00Z'],
        ]));
        const body = 'Great kettle. It boils fast and looks good.\n\nWould buy again.';
        const header = ['review_id', 'product_id', 'buyer_id', 'rating', 'title', 'body', 'verified_purchase', 'helpful_votes', 'total_votes', 'created_at', 'updated_at'];
        writeFileSync(join(dir, 'review.csv'), csv(header, [
          [1, 'P1', 1, 5, 'Love it', body, true, 3, 4, t(1), t(1)],
          [2, 'P1', 2, 6, 'Six stars', 'Better than perfect.', true, 0, 0, t(2), t(2)],
          [3, 'P2', 2, 0, 'Zero', 'Broken on arrival.', false, 0, 0, t(3), t(3)],
          // A double submit of review 1 with different whitespace: the same normalised text.
          [4, 'P1', 1, 5, ' Love  it ', '  Great kettle.  It boils fast and looks good.\r\n\r\n\r\nWould buy again.  ', true, 0, 0, t(1, 13), t(1, 13)],
          [5, 'P2', 1, 4, 'No words', ' \t ', true, 0, 0, t(4), t(4)],
          [6, 'P3', 3, 3, 'Odd votes', 'Fine pan.', true, 5, 3, t(5), t(5)],
          [7, 'P1', 1, 4, 'Second thoughts', 'After a month the lid got loose.', true, 0, 0, t(6), t(6)],
          // Same text twice, the higher id submitted first: the earlier one is kept.
          [8, 'P4', 3, 2, 'Meh', 'Too small for us.', false, 0, 0, t(8), t(8)],
          [9, 'P4', 3, 2, 'Meh', 'Too small for us.', false, 0, 0, t(7), t(7)],
          [10, 'P5', 2, 5, 'Radio', 'Clear sound.', true, 1, 1, t(9), t(9)],
          [11, 'P5', 2, -1, 'Negative', 'Broken.', true, 0, 0, t(10), t(10)],
        ]));
        writeFileSync(join(dir, 'review_image.csv'), csv(['image_id', 'review_id', 'url', 'width', 'height', 'created_at'], [
          [100, 1, 'https://img.example.com/1.jpg', 800, 600, t(1)],
          [101, 2, 'https://img.example.com/2.jpg', 800, 600, t(2)],
          [102, 4, 'https://img.example.com/4.jpg', 800, 600, t(1, 13)],
          [103, 10, 'https://img.example.com/10a.jpg', 800, 600, t(9)],
          [104, 10, 'https://img.example.com/10b.jpg', 800, 600, t(9)],
        ]));

        // The shop empties its tables (strata never would), then a different data set is loaded
        // into them; the incremental fact is rebuilt from scratch.
        await withEngine(target, (db) => db.query('truncate amazon.review_image, amazon.review, amazon.product, amazon.buyer'));
        const r = await runCli(['build', '--seed-from', dir, '--full-refresh'], { projectDir: project, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assertAllPassed(project, r.stdout, { allowWarn: true });

        const rejected = await query<{ review_id: unknown; rejection_reason: string; duplicate_of: unknown; rejection_detail: string }>(target, `
          select review_id, rejection_reason, duplicate_of, rejection_detail from silver.rejected_reviews order by review_id`);
        assert.deepEqual(
          rejected.map((x) => [num(x.review_id), x.rejection_reason, x.duplicate_of === null ? null : num(x.duplicate_of)]),
          [
            [2, 'invalid_rating', null],
            [3, 'invalid_rating', null],
            [4, 'duplicate', 1],
            [6, 'invalid_votes', null],
            [8, 'duplicate', 9],
            [11, 'invalid_rating', null],
          ],
        );
        assert.match(rejected[0]!.rejection_detail, /rating 6 is outside 1\.\.5/);
        assert.match(rejected[2]!.rejection_detail, /review 1/);

        const silver = await query<{ review_id: unknown; title: string | null; body: string | null; is_blank_text: boolean }>(target, `
          select review_id, title, body, is_blank_text from silver.silver_reviews order by review_id`);
        assert.deepEqual(silver.map((x) => num(x.review_id)), [1, 5, 7, 9, 10]);
        const blank = silver.find((x) => num(x.review_id) === 5)!;
        assert.equal(blank.is_blank_text, true, 'blank text is kept and flagged');
        assert.equal(blank.body, null);
        assert.equal(silver.find((x) => num(x.review_id) === 1)!.body, body);

        const orphans = await query<{ image_id: unknown; orphan_reason: string; review_rejection_reason: string; review_duplicate_of: unknown }>(target, `
          select image_id, orphan_reason, review_rejection_reason, review_duplicate_of from silver.orphan_review_images order by image_id`);
        assert.deepEqual(
          orphans.map((x) => [num(x.image_id), x.orphan_reason, x.review_rejection_reason, x.review_duplicate_of === null ? null : num(x.review_duplicate_of)]),
          [
            [101, 'review_rejected', 'invalid_rating', null],
            [102, 'review_rejected', 'duplicate', 1],
          ],
        );
        const facts = await query<{ review_id: unknown; image_count: unknown; is_blank_text: boolean; substance_component: unknown }>(target, `
          select review_id, image_count, is_blank_text, substance_component from gold.fact_reviews order by review_id`);
        assert.deepEqual(facts.map((x) => [num(x.review_id), num(x.image_count)]), [[1, 1], [5, 0], [7, 0], [9, 0], [10, 2]]);
        assert.equal(num(facts.find((x) => num(x.review_id) === 5)!.substance_component), 0, 'a blank review has no substance');

        const products = await query<{ product_id: string; category: string }>(target, `
          select product_id, category from silver.silver_products order by product_id`);
        assert.deepEqual(products.map((x) => x.category), ['Electronics', 'Electronics', 'Home & Kitchen', 'Home & Kitchen', 'Electronics']);
        const buyers = await query<{ name: string; email: string | null; country: string }>(target, `
          select name, email, country from silver.silver_buyers order by buyer_id`);
        assert.deepEqual(buyers.map((b) => [b.name, b.email, b.country]), [
          ['Ada Lovelace', 'ada@example.com', 'GB'],
          ['Alan Turing', null, 'GB'],
          ['Grace Hopper', 'grace@example.com', 'US'],
        ]);
        const [dim] = await query<{ review_count: number; most_helpful_review_id: unknown }>(target, `
          select review_count, most_helpful_review_id from gold.dim_product where product_id = 'P1'`);
        assert.equal(num(dim!.review_count), 2, 'P1: reviews 1 and 7; 2 and 4 are rejected');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('an incremental batch recomputes only what changed in review_checks and review_features, and equals a full rebuild', async () => {
      // On the dirty data set above: the original of a double submit is deleted (its duplicate
      // becomes valid), a review is edited, a new double submit arrives, and an image is added
      // to a review whose own row did not change.
      await withEngine(target, async (db) => {
        await db.query('delete from amazon.review where review_id = 9');
        await db.query(`update amazon.review set body = 'After a month the lid got loose. Returned it.', updated_at = '2025-07-01T00:00:00Z' where review_id = 7`);
        await db.query(
          `insert into amazon.review (review_id, product_id, buyer_id, rating, title, body, verified_purchase, helpful_votes, total_votes, created_at, updated_at)
           select 12, product_id, buyer_id, rating, title, body, verified_purchase, 0, 0, '2025-07-02T00:00:00Z', '2025-07-02T00:00:00Z' from amazon.review where review_id = 1`,
        );
        await db.query(`insert into amazon.review_image (image_id, review_id, url, width, height, created_at) values (105, 5, 'https://img.example.com/5.jpg', 800, 600, '2025-07-03T00:00:00Z')`);
      });
      const fingerprint = async (): Promise<Record<string, string>> => {
        const out: Record<string, string> = {};
        for (const rel of ['silver.review_checks', 'silver.review_features', 'gold.fact_reviews', 'gold.review_rank']) {
          const [row] = await query<{ h: string }>(target, `
            select md5(string_agg((to_jsonb(x) - '_batch_id' - '_loaded_at')::text, '|' order by x.review_id)) as h from ${rel} x`);
          out[rel] = row!.h;
        }
        return out;
      };
      const r = await runCli(['--json', 'build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const ends = new Map(events(r.stdout).filter((e) => e.event === 'model_end').map((e) => [e.model as string, e]));
      // review_checks: every review of the pairs (buyer 1, P1) and (buyer 3, P4) — 1, 4, 7, 12 and 8.
      assert.equal(ends.get('review_checks')?.merged, 5, JSON.stringify(ends.get('review_checks')));
      // review_features: 7 (edited), 8 (valid now), 5 (a new image).
      assert.equal(ends.get('review_features')?.merged, 3, JSON.stringify(ends.get('review_features')));
      const [checks] = await query<{ reason: string | null }>(target, 'select rejection_reason as reason from silver.review_checks where review_id = 8');
      assert.equal(checks!.reason, null, 'its original is gone: review 8 is valid now');
      const [dup] = await query<{ of: unknown }>(target, 'select duplicate_of as of from silver.review_checks where review_id = 12');
      assert.equal(num(dup!.of), 1);
      const [img] = await query<{ n: unknown }>(target, 'select image_count as n from silver.review_features where review_id = 5');
      assert.equal(num(img!.n), 1);
      const incremental = await fingerprint();

      const full = await runCli(['build', '--full-refresh'], { projectDir: project, target });
      assert.equal(full.code, 0, full.stdout + full.stderr);
      assert.deepEqual(await fingerprint(), incremental, 'the incremental batch holds exactly what a full rebuild holds');
    });
  });
}
