/**
 * The gold models that rank and aggregate per product (and per buyer) are incremental: a
 * batch recomputes only the products (buyers) whose reviews changed, and the result is the
 * very table a full rebuild makes — on both engines, on the committed sample, after a batch
 * of re-votes (the per-product path) and after one that changes the catalogue's star counts,
 * deletes, moves and adds reviews, renames a buyer and retitles a product.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { events, runCli, targets, useSpecProject, withEngine, type TestTarget } from './support.ts';

/** The gold tables whose rows the per-product merges write (and fact_reviews, which they read). */
const GOLD = ['fact_reviews', 'review_rank', 'review_detail', 'dim_product', 'dim_buyer', 'product_top_reviews'];

/** Each gold table's rows, order-independent, without the columns that name the batch. */
async function goldChecksums(target: TestTarget): Promise<Record<string, string>> {
  return withEngine(target, async (db) => {
    const out: Record<string, string> = {};
    for (const t of GOLD) {
      const { rows } = await db.query<{ c: string; n: string | number }>(
        `select md5(string_agg(r, '' order by r)) as c, count(*) as n
         from (select md5((to_jsonb(x) - '_batch_id' - '_loaded_at')::text) as r from gold.${t} x) s`,
      );
      out[t] = `${rows[0]!.n}:${rows[0]!.c}`;
    }
    return out;
  });
}

async function build(target: TestTarget, project: string, ...args: string[]): Promise<Map<string, Record<string, unknown>>> {
  const r = await runCli(['--json', 'build', ...args], { projectDir: project, target });
  assert.equal(r.code, 0, r.stdout.slice(-4000) + r.stderr);
  return new Map(events(r.stdout).filter((e) => e.event === 'model_end').map((e) => [e.model as string, e]));
}

const sql = (target: TestTarget, text: string): Promise<unknown> => withEngine(target, (db) => db.query(text));

for (const factory of targets('i17g')) {
  describe(`per-product incremental gold on ${factory.name}`, () => {
    const spec = useSpecProject(factory);

    test('a batch of re-votes recomputes only the touched products and equals a full rebuild', async () => {
      const { target, project } = spec;
      await build(target, project, '--seed-from', join(project, 'sample', 'amazon'));
      // 1 % of the reviews re-voted: the catalogue's star counts stay, so only their products change.
      await sql(target, `update amazon.review set helpful_votes = helpful_votes + 3, total_votes = total_votes + 4, updated_at = '2026-03-01T00:00:00Z' where review_id % 100 = 7`);
      const ends = await build(target, project);
      const products = await withEngine(target, async (db) => (await db.query<{ n: number }>(
        `select count(distinct product_id)::int as n from gold.review_rank where product_id in (select product_id from gold.fact_reviews where review_id % 100 = 7)`,
      )).rows[0]!.n);
      const total = await withEngine(target, async (db) => (await db.query<{ n: number }>('select count(*)::int as n from gold.review_rank')).rows[0]!.n);
      for (const m of ['review_rank', 'review_detail', 'dim_product', 'dim_buyer', 'product_top_reviews']) {
        assert.equal(ends.get(m)?.action, 'merge', `${m}: ${JSON.stringify(ends.get(m))}`);
      }
      const merged = Number(ends.get('review_rank')!.merged);
      assert.ok(merged > 0 && merged < total, `review_rank recomputed ${merged} of ${total} reviews (the ${products} touched products' reviews)`);
      assert.ok(Number(ends.get('dim_product')!.merged) <= products, 'dim_product recomputes the touched products only');
      const incremental = await goldChecksums(target);
      await build(target, project, '--full-refresh');
      assert.deepEqual(await goldChecksums(target), incremental, 'the incremental batch holds exactly what a full rebuild holds');
    });

    test('star counts, deletes, moves, new reviews, a renamed buyer and a retitled product: still equal to a full rebuild', async () => {
      const { target, project } = spec;
      await sql(target, `update amazon.review set rating = case when rating = 5 then 1 else rating + 1 end, updated_at = '2026-03-02T00:00:00Z' where review_id = (select min(review_id) from amazon.review where rating between 1 and 5)`);
      await sql(target, `delete from amazon.review_image where review_id in (select review_id from amazon.review where review_id % 97 = 3)`);
      await sql(target, `delete from amazon.review where review_id % 97 = 3`);
      await sql(target, `update amazon.review set product_id = (select max(product_id) from amazon.product), updated_at = '2026-03-02T00:00:00Z' where review_id % 101 = 5`);
      await sql(target, `insert into amazon.review (review_id, product_id, buyer_id, rating, title, body, verified_purchase, helpful_votes, total_votes, created_at, updated_at)
        select review_id + 1000000, product_id, buyer_id, rating, title, body || ' Still good.', verified_purchase, 1, 2, '2026-03-02T00:00:00Z', '2026-03-02T00:00:00Z'
        from amazon.review where review_id % 89 = 1`);
      await sql(target, `update amazon.buyer set name = name || ' Jr.' where buyer_id = (select min(buyer_id) from amazon.buyer)`);
      await sql(target, `update amazon.product set title = title || ' (2026 edition)' where product_id = (select min(product_id) from amazon.product)`);
      const ends = await build(target, project);
      for (const m of ['review_rank', 'review_detail', 'dim_product', 'dim_buyer', 'product_top_reviews']) {
        assert.equal(ends.get(m)?.action, 'merge', `${m}: ${JSON.stringify(ends.get(m))}`);
      }
      const incremental = await goldChecksums(target);
      await build(target, project, '--full-refresh');
      assert.deepEqual(await goldChecksums(target), incremental, 'the incremental batch holds exactly what a full rebuild holds');
    });
  });
}
