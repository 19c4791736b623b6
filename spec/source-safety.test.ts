/**
 * The shop's data is never harmed (issue 10, item 1): against a database whose `amazon`
 * tables hold other data than the sample, `build`, `build` after the sample CSVs changed,
 * `seed`, `seed --sample` and `build --seed-from` leave every source row byte-identical
 * (checksums of the rows), and gold is built from the live data. Sample data loads only
 * into empty tables; a non-empty one is refused by name and row count. A shop schema that
 * strata's migrations did not create (the production case: the shop's application made it)
 * is read as it is: no migration runs, nothing is written to it, not even a ledger.
 */
import assert from 'node:assert/strict';
import { appendFileSync, createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copyProject, REPO, relationChecksum, runCli, targets, withEngine, type TargetFactory, type TestTarget } from './support.ts';

const SOURCE_TABLES = ['amazon.buyer', 'amazon.product', 'amazon.review', 'amazon.review_image'];
const SHOP_REVIEW = 987654321;

async function sourceChecksums(target: TestTarget): Promise<string[]> {
  return withEngine(target, (db) => Promise.all(SOURCE_TABLES.map((t) => relationChecksum(db, t))));
}

async function currentBatch(target: TestTarget): Promise<string | null> {
  return withEngine(target, async (db) => (await db.query<{ batch_id: string }>('select batch_id from strata.current_batch')).rows[0]?.batch_id ?? null);
}

interface Shop {
  target: TestTarget;
  project: string;
  /** The shop's own data set (`strata generate`): CSVs the shop loads, never strata. */
  shopData: string;
}

/** A fresh database on the target, a copy of the project, and a generated shop data set. */
async function openShop(factory: TargetFactory, reviews: number, seed: number): Promise<Shop> {
  const shop = { target: await factory.create(), project: copyProject(), shopData: mkdtempSync(join(tmpdir(), 'strata-i10-shop-')) };
  const g = await runCli(['generate', '--reviews', String(reviews), '--seed', String(seed), '--out', shop.shopData], { projectDir: shop.project });
  if (g.code !== 0) {
    await closeShop(shop);
    assert.fail(`strata generate exited ${g.code}: ${g.stdout}${g.stderr}`);
  }
  return shop;
}

async function closeShop(shop: Partial<Shop>): Promise<void> {
  await shop.target?.cleanup();
  for (const dir of [shop.project, shop.shopData]) if (dir) rmSync(dir, { recursive: true, force: true });
}

for (const factory of targets('i10')) {
  describe(`the shop's data on ${factory.name}`, () => {
    let target: TestTarget;
    let project: string;
    let shopData: string;
    let live: string[];
    before(async () => ({ target, project, shopData } = await openShop(factory, 400, 7)));
    after(() => closeShop({ target, project, shopData }));

    test('seed --sample fills empty source tables, and refuses once any holds a row, naming each with its rows', async () => {
      const first = await runCli(['seed', '--sample'], { projectDir: project, target });
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(first.stdout, /amazon\.review: 3,000 rows from sample\/amazon\/review\.csv/);
      const again = await runCli(['seed', '--sample'], { projectDir: project, target });
      assert.equal(again.code, 1, again.stdout + again.stderr);
      assert.match(again.stderr, /refusing to load sample data into source amazon: amazon\.buyer holds 750 rows; amazon\.product holds 150 rows; amazon\.review holds 3,000 rows; amazon\.review_image holds \d+ rows\. .*nothing was loaded/);

      // The shop's own data replaces the sample (the shop writes its tables; strata never does).
      await withEngine(target, async (db) => {
        await db.query('truncate amazon.review_image, amazon.review, amazon.product, amazon.buyer');
        for (const t of ['buyer', 'product', 'review', 'review_image']) {
          await db.copyFrom(`copy amazon.${t} from stdin with (format csv, header true)`, createReadStream(join(shopData, `${t}.csv`)));
        }
        const { rows } = await db.query<{ product_id: string; buyer_id: string }>('select product_id, buyer_id::text from amazon.review order by review_id limit 1');
        await db.query(
          `insert into amazon.review (review_id, product_id, buyer_id, rating, title, body, verified_purchase, helpful_votes, total_votes, created_at, updated_at)
           values ($1, $2, $3, 4, 'Written by the shop', 'A live review that no sample holds. It works well.', true, 2, 3, '2025-03-01T00:00:00Z', '2025-03-01T00:00:00Z')`,
          [SHOP_REVIEW, rows[0]!.product_id, rows[0]!.buyer_id],
        );
      });
      live = await sourceChecksums(target);
    });

    test('build reads the live data and writes none of it; a changed sample CSV changes nothing', async () => {
      const r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(await sourceChecksums(target), live, 'every source row is byte-identical');
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ missing: string | number; extra: string | number; title: string }>(`
          select (select count(*) from amazon.review a where not exists (select from gold.fact_reviews f where f.review_id = a.review_id)
                    and not exists (select from silver.rejected_reviews x where x.review_id = a.review_id)) as missing,
                 (select count(*) from gold.fact_reviews f where not exists (select from amazon.review a where a.review_id = f.review_id)) as extra,
                 (select s.title from gold.fact_reviews f join silver.silver_reviews s using (review_id) where f.review_id = ${SHOP_REVIEW}) as title`);
        assert.equal(Number(rows[0]!.missing), 0, 'every live review reaches gold or is rejected with a reason');
        assert.equal(Number(rows[0]!.extra), 0, 'gold holds no review the shop does not have');
        assert.equal(rows[0]!.title, 'Written by the shop');
      });

      // The sample CSVs change (a new review): they are sample data, not the pipeline's input.
      appendFileSync(join(project, 'sample', 'amazon', 'review.csv'), '100999999,B0M35OJMR1,10000001,5,Sample only,Never loaded.,true,0,0,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z\n');
      const again = await runCli(['build'], { projectDir: project, target });
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.deepEqual(await sourceChecksums(target), live);
    });

    test('seed, seed --sample and build --seed-from leave the source untouched; the sample loads are refused', async () => {
      const s = await runCli(['seed'], { projectDir: project, target });
      assert.equal(s.code, 0, s.stdout + s.stderr);
      assert.deepEqual(await sourceChecksums(target), live);

      const sample = await runCli(['seed', '--sample'], { projectDir: project, target });
      assert.equal(sample.code, 1, sample.stdout + sample.stderr);
      assert.match(sample.stderr, /amazon\.review holds 401 rows/);
      assert.deepEqual(await sourceChecksums(target), live);

      const published = await currentBatch(target);
      const from = await runCli(['build', '--seed-from', join(project, 'sample', 'amazon')], { projectDir: project, target });
      assert.equal(from.code, 1, from.stdout + from.stderr);
      assert.match(from.stdout + from.stderr, /refusing to load sample data into source amazon: amazon\.buyer holds [\d,]+ rows;.*amazon\.review holds 401 rows/);
      assert.deepEqual(await sourceChecksums(target), live);
      assert.equal(await currentBatch(target), published, 'nothing was published');
    });

    test('a model of several statements or with a data-modifying CTE is refused with its file and line before any SQL runs', async () => {
      const evil = join(project, 'models', 'gold', 'evil.sql');
      const batches = async (): Promise<number> =>
        withEngine(target, async (db) => Number((await db.query<{ n: string }>('select count(*) as n from strata.batches')).rows[0]!.n));
      const started = await batches();
      try {
        for (const [sql, line, message] of [
          ['{{config materialized="table"}}\nselect 1 as a;\nupdate amazon.review set rating = 1 where true;\nselect 1 as a\n', 3, /found 3 statements \(the second is UPDATE\)/],
          ['{{config materialized="table"}}\nselect 1 as a\n;delete from amazon.review_image\n', 3, /found 2 statements \(the second is DELETE\)/],
          [`with kept as (select review_id from {{ref "fact_reviews"}}),\n  gone as (delete from {{source "amazon" "review_image"}} returning *)\nselect count(*) as n from gone`, 2, /data-modifying DELETE/],
        ] as const) {
          writeFileSync(evil, sql);
          const r = await runCli(['build'], { projectDir: project, target });
          assert.equal(r.code, 2, r.stdout + r.stderr);
          assert.match(r.stderr, new RegExp(`models/gold/evil\\.sql:${line}:\\d+: `));
          assert.match(r.stderr, message);
          assert.deepEqual(await sourceChecksums(target), live);
        }
        assert.equal(await batches(), started, 'no batch was even started: nothing ran');

        // Defense in depth: a write the parser cannot see (inside a function) is rolled back at run time.
        await withEngine(target, (db) => db.query(`create function public.i10_prune() returns integer language sql as $$ delete from amazon.review_image where image_id in (select image_id from amazon.review_image limit 3); select 1 $$`));
        writeFileSync(evil, 'select public.i10_prune() as pruned');
        const published = await currentBatch(target);
        const r = await runCli(['build', '--select', 'evil'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /it wrote to source table amazon\.review_image, and sources are read-only/);
        assert.deepEqual(await sourceChecksums(target), live);
        assert.equal(await currentBatch(target), published);
      } finally {
        rmSync(evil, { force: true });
      }
    });

    test('a review deleted at the source and one that silver now rejects leave gold on the next plain build', async () => {
      const { rows: picked } = await withEngine(target, (db) =>
        db.query<{ review_id: string }>('select review_id::text from gold.fact_reviews where review_id <> $1 order by review_id limit 2', [SHOP_REVIEW]));
      const [deleted, invalidated] = picked.map((r) => r.review_id);
      // The shop deletes one review and corrupts another (silver rejects ratings outside 1..5).
      await withEngine(target, async (db) => {
        await db.query('delete from amazon.review_image where review_id = $1', [deleted]);
        await db.query('delete from amazon.review where review_id = $1', [deleted]);
        await db.query(`update amazon.review set rating = 9, updated_at = now() where review_id = $1`, [invalidated]);
      });
      const r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /incremental gold\.fact_reviews … .*\(2 rows deleted: their review_id left silver_reviews\)/);
      assert.match(r.stdout, /PASS\s+reviews_reach_gold/);
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ review_id: string }>('select review_id::text from gold.fact_reviews where review_id = any($1::bigint[])', [[deleted, invalidated]]);
        assert.deepEqual(rows, [], 'neither review is in gold');
        const rejected = await db.query<{ rejection_reason: string }>('select rejection_reason from silver.rejected_reviews where review_id = $1', [invalidated]);
        assert.equal(rejected.rows[0]?.rejection_reason, 'invalid_rating');
      });
    });
  });
}

/**
 * The shop's own DDL, as its application would run it: the same tables as strata's migration
 * (which the source contract mirrors) plus what the shop keeps for itself, with no record in
 * strata's migrations ledger.
 */
const SHOP_DDL =
  readFileSync(join(REPO, 'migrations', '1_create_amazon_schema.sql'), 'utf8') +
  `\nalter table amazon.buyer add column loyalty_tier text;\ncreate index review_by_buyer on amazon.review (buyer_id, created_at);\n`;

for (const factory of targets('i10own')) {
  describe(`a shop schema strata did not create, on ${factory.name}`, () => {
    let target: TestTarget;
    let project: string;
    let shopData: string;
    let live: string[];
    before(async () => {
      ({ target, project, shopData } = await openShop(factory, 300, 11));
      await withEngine(target, async (db) => {
        await db.exec(SHOP_DDL);
        for (const t of ['buyer', 'product', 'review', 'review_image']) {
          const columns = readFileSync(join(shopData, `${t}.csv`), 'utf8').split('\n', 1)[0];
          await db.copyFrom(`copy amazon.${t} (${columns}) from stdin with (format csv, header true)`, createReadStream(join(shopData, `${t}.csv`)));
        }
      });
      live = await sourceChecksums(target);
    });
    after(() => closeShop({ target, project, shopData }));

    const ledger = async (): Promise<string | null> =>
      withEngine(target, async (db) => (await db.query<{ t: string | null }>(`select to_regclass('public.migrations')::text as t`)).rows[0]!.t);

    test('build runs no migration, reads the live rows, and writes nothing to the shop, not even a ledger', async () => {
      const r = await runCli(['build'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /migrations: none run — source amazon already exists here, made outside strata's migrations \(the owner's schema\): read as it is/);
      assert.deepEqual(await sourceChecksums(target), live, 'every source row is byte-identical');
      assert.equal(await ledger(), null, 'no migrations table in the shop database');
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ live: string; gold: string }>(
          `select (select count(*) from amazon.review a where not exists (select from silver.rejected_reviews x where x.review_id = a.review_id))::text as live,
                  (select count(*) from gold.fact_reviews)::text as gold`);
        assert.equal(rows[0]!.gold, rows[0]!.live, 'gold holds every valid live review');
      });
    });

    test('migrate and health agree: nothing pending, nothing run', async () => {
      const m = await runCli(['migrate'], { projectDir: project, target });
      assert.equal(m.code, 0, m.stdout + m.stderr);
      assert.match(m.stdout, /migrations: none run — source amazon already exists here/);
      const h = await runCli(['health'], { projectDir: project, target });
      assert.match(h.stdout, /OK\s+migrations\s+none run here: source amazon was made outside strata's migrations/);
      assert.deepEqual(await sourceChecksums(target), live);
      assert.equal(await ledger(), null);
    });

    test('a source that is only partly there is named, table by table, and nothing is created', async () => {
      await withEngine(target, (db) => db.exec('alter table amazon.review_image rename to review_image_shop'));
      try {
        const r = await runCli(['build'], { projectDir: project, target });
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout + r.stderr, /source amazon is partly there: amazon\.buyer, amazon\.product, amazon\.review exist but amazon\.review_image does not, and strata's migrations never ran on this database, so nothing was created or run/);
        await withEngine(target, async (db) => {
          const { rows } = await db.query<{ t: string | null }>(`select to_regclass('amazon.review_image')::text as t`);
          assert.equal(rows[0]!.t, null, 'strata did not complete the shop schema');
        });
        assert.equal(await ledger(), null);
      } finally {
        await withEngine(target, (db) => db.exec('alter table amazon.review_image_shop rename to review_image'));
      }
      assert.deepEqual(await sourceChecksums(target), live);
    });
  });
}
