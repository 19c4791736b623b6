import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { targets } from '../../spec/support.ts';
import type { Engine } from '../engine/engine.ts';
import { readActive } from './active.ts';
import { cleanIncompleteBatches, findIncompleteBatches, listBatches } from './batches.ts';
import { exportBatch } from './export-batch.ts';
import { batchDir, layerDir } from './layout.ts';
import { pruneBatches } from './prune.ts';
import { restoreBatch } from './restore.ts';
import { rollbackLake } from './rollback.ts';
import { verifyBatch } from './verify.ts';

const LAYER = 'gold';
const DAY = 86_400_000;

async function exportOne(engine: Engine, lakeDir: string, batchId: string, activate = true) {
  return exportBatch({
    engine,
    lakeDir,
    layer: LAYER,
    batchId,
    tables: [
      { name: 'reviews', relation: 'lake_ops.reviews' },
      { name: 'products', relation: 'lake_ops.products' },
    ],
    activate,
  });
}

for (const factory of targets()) {
  test(`${factory.name}: list, rollback, verify, prune and cleanup keep the lake consistent`, async (t) => {
    const target = await factory.create();
    const engine = await target.open();
    const lakeDir = mkdtempSync(join(tmpdir(), 'strata-lake-ops-'));
    t.after(async () => {
      await engine.close();
      await target.cleanup();
      rmSync(lakeDir, { recursive: true, force: true });
    });
    await engine.exec(`
      create schema lake_ops;
      create table lake_ops.reviews as select g as id, 'review ' || g as body, (g % 5 + 1)::smallint as rating from generate_series(1, 2000) g;
      create table lake_ops.products as select g as id, 'product ' || g as name from generate_series(1, 50) g;`);

    await exportOne(engine, lakeDir, 'b1');
    await engine.exec('insert into lake_ops.reviews select g, null, 1 from generate_series(2001, 2010) g');
    const second = await exportOne(engine, lakeDir, 'b2');
    assert.equal(second.previousActive, 'b1');
    await exportOne(engine, lakeDir, 'b3', false);

    await t.test('listBatches: oldest first, with completeness, rows, sizes and the active one', async () => {
      const list = await listBatches(lakeDir, LAYER);
      assert.deepEqual(
        list.map((b) => [b.id, b.complete, b.active, b.rows.reviews]),
        [
          ['b1', true, false, 2000],
          ['b2', true, true, 2010],
          ['b3', true, false, 2010],
        ],
      );
      assert.ok(list.every((b) => b.sizeBytes > 0 && b.ageMs >= 0 && b.rows.products === 50));
    });

    await t.test('an export never reuses a batch id, and a failed one leaves active alone', async () => {
      await assert.rejects(exportOne(engine, lakeDir, 'b2'), /already exists/);
      await assert.rejects(
        exportBatch({ engine, lakeDir, layer: LAYER, batchId: 'bad', activate: true, tables: [{ name: 'x', relation: 'lake_ops.missing' }] }),
        /lake_ops\.missing/,
      );
      assert.equal(existsSync(batchDir(lakeDir, LAYER, 'bad')), false, 'the failed batch was removed');
      assert.equal(await readActive(lakeDir, LAYER), 'b2');
      await assert.rejects(exportOne(engine, lakeDir, '../escape'), /not allowed/);
    });

    await t.test('a value the lake cannot hold fails the export by name, and the connection stays usable', async () => {
      await engine.exec(`create table lake_ops.prices as
        select g as id, (case when g = 20000 then 'NaN'::numeric else g % 1000 end)::numeric(6,2) as price, repeat('x', 200) as pad
          from generate_series(1, 30000) g`);
      await assert.rejects(
        // Beside another table: on PostgreSQL both are read at once, each decoded on a worker thread.
        exportBatch({
          engine, lakeDir, layer: LAYER, batchId: 'nan', activate: true, parallelTables: 2,
          tables: [{ name: 'prices', relation: 'lake_ops.prices' }, { name: 'reviews', relation: 'lake_ops.reviews' }],
        }),
        /column "price": NaN does not fit decimal\(6,2\).*\(row 20000\)/,
      );
      assert.equal((await engine.query<{ n: number }>('select count(*)::int as n from lake_ops.prices')).rows[0]!.n, 30000);
      assert.equal(existsSync(batchDir(lakeDir, LAYER, 'nan')), false);
    });

    await t.test('rollback: to the previous complete batch, to a named one, never to an incomplete one', async () => {
      mkdirSync(batchDir(lakeDir, LAYER, 'b4'));
      writeFileSync(join(batchDir(lakeDir, LAYER, 'b4'), '.reviews.parquet.tmp-999999'), 'partial');
      assert.deepEqual(await rollbackLake(lakeDir, LAYER), { layer: LAYER, from: 'b2', to: 'b1' });
      await assert.rejects(rollbackLake(lakeDir, LAYER), /no complete batch older than the active b1/);
      assert.deepEqual(await rollbackLake(lakeDir, LAYER, 'b3'), { layer: LAYER, from: 'b1', to: 'b3' });
      await assert.rejects(rollbackLake(lakeDir, LAYER, 'b4'), /b4 is incomplete .*refusing/);
      await assert.rejects(rollbackLake(lakeDir, LAYER, 'b9'), /no batch b9 .*complete batches: b1, b2, b3/);
      assert.equal(await readActive(lakeDir, LAYER), 'b3');
      // Rolling back skips the incomplete b4 even though it is newer.
      assert.deepEqual(await rollbackLake(lakeDir, LAYER, 'b2'), { layer: LAYER, from: 'b3', to: 'b2' });
    });

    await t.test('incomplete batches and stray temp files are found, then cleaned', async () => {
      writeFileSync(join(layerDir(lakeDir, LAYER), '.active.tmp-999999'), 'b9\n');
      const found = await findIncompleteBatches(lakeDir, LAYER);
      assert.deepEqual(
        found.map((f) => [f.kind, f.batchId, f.inProgress]),
        [
          ['temp-file', null, false],
          ['batch', 'b4', false],
        ],
      );
      assert.match(found[1]!.reason, /manifest\.json: missing/);
      const cleaned = await cleanIncompleteBatches(lakeDir, LAYER);
      assert.equal(cleaned.removed.length, 2);
      assert.deepEqual(await findIncompleteBatches(lakeDir, LAYER), []);
      assert.deepEqual(
        (await listBatches(lakeDir, LAYER)).map((b) => b.id),
        ['b1', 'b2', 'b3'],
      );
    });

    await t.test('verify: names truncated, byte-flipped and missing files, with the reason', async () => {
      assert.deepEqual(await verifyBatch(lakeDir, LAYER), { layer: LAYER, batchId: 'b2', ok: true, verified: ['reviews', 'products'], damaged: [], extraFiles: [] });
      const b1 = batchDir(lakeDir, LAYER, 'b1');
      const reviews = join(b1, 'reviews.parquet');
      truncateSync(reviews, statSync(reviews).size - 100);
      const products = join(b1, 'products.parquet');
      const bytes = readFileSync(products);
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      writeFileSync(products, bytes);
      const v1 = await verifyBatch(lakeDir, LAYER, 'b1');
      assert.equal(v1.ok, false);
      assert.deepEqual(
        v1.damaged.map((d) => [d.table, d.file]),
        [
          ['reviews', reviews],
          ['products', products],
        ],
      );
      assert.match(v1.damaged[0]!.reason, /size \d+ bytes, the manifest says \d+; sha256 .*unreadable parquet footer/);
      assert.match(v1.damaged[1]!.reason, /^sha256 [0-9a-f]{12}…, the manifest says/);
      rmSync(join(batchDir(lakeDir, LAYER, 'b3'), 'products.parquet'));
      const v3 = await verifyBatch(lakeDir, LAYER, 'b3');
      assert.deepEqual(v3.damaged.map((d) => d.reason), ['missing']);
      await assert.rejects(rollbackLake(lakeDir, LAYER, 'b3'), /b3 is damaged .*products\.parquet is missing/);
    });

    await t.test('prune: respects retention, honours dry runs, never deletes the active batch', async () => {
      const soon = new Date(Date.now() + 3 * DAY);
      assert.deepEqual((await pruneBatches(lakeDir, LAYER, 7, { now: soon })).deleted, []);
      const later = new Date(Date.now() + 10 * DAY);
      const dry = await pruneBatches(lakeDir, LAYER, 7, { now: later, dryRun: true });
      assert.deepEqual(dry.deleted.map((b) => b.id), ['b1', 'b3']);
      assert.equal((await listBatches(lakeDir, LAYER)).length, 3, 'a dry run deletes nothing');
      // --archive: each batch is copied and verified before it is deleted; b1 (damaged above) is refused, nothing deleted.
      const archive = mkdtempSync(join(tmpdir(), 'strata-archive-'));
      try {
        await assert.rejects(pruneBatches(lakeDir, LAYER, 7, { now: later, archiveDir: archive }), /archiving gold batch b1: the copy of reviews\.parquet is not intact \(size \d+ bytes, the manifest says \d+.*; nothing was deleted/);
        assert.deepEqual(readdirSync(join(archive, LAYER)), [], 'no partial copy is left');
        assert.equal((await listBatches(lakeDir, LAYER)).length, 3);
      } finally {
        rmSync(archive, { recursive: true, force: true });
      }
      const real = await pruneBatches(lakeDir, LAYER, 7, { now: later });
      assert.deepEqual(real.deleted.map((b) => b.id), ['b1', 'b3']);
      assert.ok(real.freedBytes > 0);
      const left = await listBatches(lakeDir, LAYER);
      assert.deepEqual(left.map((b) => [b.id, b.active]), [['b2', true]]);
      assert.deepEqual((await pruneBatches(lakeDir, LAYER, 0, { now: later })).deleted, [], 'the active batch survives any retention');
      await assert.rejects(pruneBatches(lakeDir, LAYER, -1), /retention/);
    });

    await t.test('an empty table is a parquet file with its schema and no rows, and restores as such', async () => {
      await engine.exec('create table lake_ops.nothing (id bigint, tags text[], price numeric(8,2))');
      const done = await exportBatch({ engine, lakeDir, layer: LAYER, batchId: 'empty', activate: false, tables: [{ name: 'nothing', relation: 'lake_ops.nothing' }] });
      assert.equal(done.manifest.tables[0]!.rows, 0);
      assert.equal((await verifyBatch(lakeDir, LAYER, 'empty')).ok, true);
      const restored = await restoreBatch({ engine, lakeDir, layer: LAYER, batchId: 'empty', targetSchema: 'lake_ops_restored' });
      assert.deepEqual(restored.tables.map((x) => [x.relation, x.rows]), [['"lake_ops_restored"."nothing"', 0]]);
      const cols = await engine.query<{ t: string }>(`select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = 'lake_ops_restored.nothing'::regclass and attnum > 0 order by attnum`);
      assert.deepEqual(cols.rows.map((r) => r.t), ['bigint', 'text[]', 'numeric(8,2)']);
    });
  });
}
