import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { targets, type TargetFactory } from '../../spec/support.ts';
import { qualify } from '../engine/quote.ts';
import { exportBatch } from './export-batch.ts';
import { readManifest } from './manifest.ts';
import { restoreBatch } from './restore.ts';
import type { Engine } from '../engine/engine.ts';
import { duckReadParquet, FIXTURE_COLUMNS, FIXTURE_SCHEMA, FIXTURE_TABLE, fixtureSql, pgColumnChecksums } from './test-fixtures.ts';
import { verifyBatch } from './verify.ts';

const EXTRA_ROWS = 5000;

interface Fixture {
  engine: Engine;
  lakeDir: string;
  /** The fixture table every mapped type is in. */
  source: string;
  /** Its per-column checksums, as PostgreSQL computes them. */
  expected: Record<string, string>;
}

/** A new database holding the fixture table and an empty lake, both removed after `fn`. */
async function withFixture(factory: TargetFactory, fn: (f: Fixture) => Promise<void>): Promise<void> {
  const target = await factory.create();
  const engine = await target.open();
  const lakeDir = mkdtempSync(join(tmpdir(), 'strata-lake-'));
  try {
    await engine.exec(fixtureSql(EXTRA_ROWS));
    const source = qualify(FIXTURE_SCHEMA, FIXTURE_TABLE);
    await fn({ engine, lakeDir, source, expected: await pgColumnChecksums(engine, source) });
  } finally {
    await engine.close();
    await target.cleanup();
    rmSync(lakeDir, { recursive: true, force: true });
  }
}

/** Small batches and row groups, so the multi-batch, multi-row-group paths run too. */
const SMALL_PIECES = { batchLimits: { rows: 1000, bytes: 1 << 20 }, parquet: { rowGroupRows: 2048 } };

/** DuckDB reads every row of `file`, each column with its expected type and the source's values. */
async function assertDuckReads(file: string, label: string, expected: Record<string, string>): Promise<void> {
  const duck = await duckReadParquet(file);
  assert.equal(duck.rows, 6 + EXTRA_ROWS, label);
  for (const c of FIXTURE_COLUMNS) {
    assert.equal(duck.types[c.name], c.duckType, `DuckDB type of ${label}.${c.name}`);
    assert.equal(duck.checksums[c.name], expected[c.name], `values of ${label}.${c.name} as DuckDB reads them`);
  }
}

for (const factory of targets()) {
  test(`${factory.name}: every mapped type survives export (read back by DuckDB) and restore`, () =>
    withFixture(factory, async ({ engine, lakeDir, source, expected }) => {
      const done = await exportBatch({
        engine,
        lakeDir,
        layer: 'gold',
        batchId: 'b1',
        tables: [{ name: FIXTURE_TABLE, relation: source, modelChecksum: 'sha-of-model' }],
        activate: true,
        ...SMALL_PIECES,
      });
      const manifest = await readManifest(done.dir);
      const table = manifest.tables[0]!;
      assert.equal(table.rows, 6 + EXTRA_ROWS);
      assert.equal(table.modelChecksum, 'sha-of-model');
      assert.equal(manifest.modelChecksums[FIXTURE_TABLE], 'sha-of-model');
      const col = (name: string) => table.columns.find((c) => c.name === name)!;
      assert.deepEqual([col('n62').pgType, col('n62').arrowType], ['numeric(6,2)', 'decimal128(6, 2)']);
      assert.deepEqual([col('tstz').arrowType, col('ts').arrowType], ['timestamp[us, tz=UTC]', 'timestamp[us]']);
      assert.deepEqual([col('nfree').arrowType, col('nfree').encoding], ['string', 'numeric-text']);
      assert.deepEqual([col('an').arrowType, col('u').encoding, col('j').encoding], ['list<decimal128(10, 2)>', 'text', 'json']);
      assert.equal((await verifyBatch(lakeDir, 'gold')).ok, true);

      await assertDuckReads(join(done.dir, table.file), table.name, expected);

      const restored = await restoreBatch({ engine, lakeDir, layer: 'gold', targetSchema: 'lake_restored' });
      assert.deepEqual(restored.tables.map((t) => [t.name, t.rows, t.keptAsText]), [[FIXTURE_TABLE, 6 + EXTRA_ROWS, []]]);
      const back = await pgColumnChecksums(engine, qualify('lake_restored', FIXTURE_TABLE));
      assert.deepEqual(back, expected);
      const types = await engine.query<{ name: string; type: string }>(
        `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
          where a.attrelid = $1::regclass and a.attnum > 0 order by a.attnum`,
        [qualify('lake_restored', FIXTURE_TABLE)],
      );
      assert.deepEqual(
        types.rows.map((r) => r.type),
        table.columns.map((c) => c.pgType),
        'restored columns have the original types (enum, uuid, interval included)',
      );
      await assert.rejects(restoreBatch({ engine, lakeDir, layer: 'gold', targetSchema: 'lake_restored' }), /cannot create .*pass replace/);
    }));
}

for (const factory of targets()) {
  test(`${factory.name}: tables exported at once (decoded on worker threads on PostgreSQL) read back as DuckDB reads the source`, () =>
    withFixture(factory, async ({ engine, lakeDir, source, expected }) => {
      const done = await exportBatch({
        engine,
        lakeDir,
        layer: 'gold',
        batchId: 'b1',
        tables: [
          { name: FIXTURE_TABLE, relation: source },
          { name: 'again', relation: source },
        ],
        activate: true,
        parallelTables: 2,
        ...SMALL_PIECES,
      });
      for (const table of (await readManifest(done.dir)).tables) await assertDuckReads(join(done.dir, table.file), table.name, expected);
      assert.equal((await verifyBatch(lakeDir, 'gold')).ok, true);
    }));
}
