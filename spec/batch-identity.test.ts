/**
 * A batch id names one batch (issue 10, item 3): ids outside the documented alphabet are
 * refused at the flag, an id whose schemas exist already is refused before anything is
 * built (and drops nothing), and no cleanup drops a schema a published or kept batch uses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dropBatchSchema } from '../src/batch/schemas.ts';
import { JAFFLE, relationChecksum, runCli, targets, useSpecProject, withEngine, type TestTarget } from './support.ts';

const PUBLISHED = ['marts.orders', 'marts.customers'];

async function published(target: TestTarget): Promise<{ batch: string; sums: string[] }> {
  return withEngine(target, async (db) => ({
    batch: (await db.query<{ batch_id: string }>('select batch_id from strata.current_batch')).rows[0]!.batch_id,
    sums: await Promise.all(PUBLISHED.map((r) => relationChecksum(db, r))),
  }));
}

for (const factory of targets('i10')) {
  describe(`batch identity on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE, async ({ target, project }) => {
      const r = await runCli(['build', '--batch-id', 'r1'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    test('ids that could map onto another batch\'s schemas are refused at the flag', async () => {
      for (const id of ['rel.1', 'rel_1', 'R1', 'r--1', '-r1', 'x'.repeat(41)]) {
        const r = await runCli(['build', '--batch-id', id], { projectDir: spec.project, target: spec.target });
        assert.equal(r.code, 2, `${id}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /a batch id is 1–40 lower-case letters and digits, in groups joined by single hyphens/);
      }
    });

    test('an id whose schemas already exist is refused before building; nothing published or kept is dropped', async () => {
      const { target, project } = spec;
      const before = await published(target);
      // The same id again, and an id whose schema someone else created.
      await withEngine(target, (db) => db.exec('create schema marts__r2; create table marts__r2.keep_me as select 1 as x'));
      const again = await runCli(['build', '--batch-id', 'r1'], { projectDir: project, target });
      assert.equal(again.code, 1, again.stdout + again.stderr);
      assert.match(again.stdout + again.stderr, /batch r1 already exists; batch ids are never reused/);
      const squatted = await runCli(['build', '--batch-id', 'r2'], { projectDir: project, target });
      assert.equal(squatted.code, 1, squatted.stdout + squatted.stderr);
      assert.match(squatted.stdout + squatted.stderr, /batch id r2 needs schema marts__r2 \(not a batch of strata\), which already exists: choose another --batch-id/);
      assert.deepEqual(await published(target), before, 'the published batch is unchanged and readable');
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ x: number }>('select x from marts__r2.keep_me');
        assert.equal(rows.length, 1, 'the schema that was in the way is untouched');
        assert.equal((await db.query('select 1 from pg_namespace where nspname = $1', ['staging__r2'])).rows.length, 0, 'no schema of the refused batch was created');
      });
      const t = await runCli(['test'], { projectDir: project, target });
      assert.equal(t.code, 0, t.stdout + t.stderr);
    });

    test('no cleanup drops a schema that the published or a kept batch uses', async () => {
      const { target, project } = spec;
      // --full-refresh: an unchanged model would otherwise be reused, and the batch would have no schema of its own.
      for (const id of ['r3', 'r4', 'r5']) {
        const r = await runCli(['build', '--batch-id', id, '--full-refresh'], { projectDir: project, target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
      }
      await withEngine(target, async (db) => {
        for (const schema of ['marts__r5', 'marts__r4', 'marts__r3']) {
          const kept = await dropBatchSchema(db, schema, 'some-other-batch');
          assert.match(kept ?? '', new RegExp(`schema ${schema} was kept: batch r\\d still uses it`));
          assert.equal((await db.query('select 1 from pg_namespace where nspname = $1', [schema])).rows.length, 1);
        }
        // keep_batches: 3 — r1's schemas expired with it.
        assert.equal((await db.query("select 1 from pg_namespace where nspname = 'marts__r1'")).rows.length, 0);
      });
      const rollback = await runCli(['rollback'], { projectDir: project, target });
      assert.equal(rollback.code, 0, rollback.stdout + rollback.stderr);
      const t = await runCli(['test'], { projectDir: project, target });
      assert.equal(t.code, 0, t.stdout + t.stderr);
    });
  });
}
