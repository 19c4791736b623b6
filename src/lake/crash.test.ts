import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { targets } from '../../spec/support.ts';
import { readActive } from './active.ts';
import { cleanIncompleteBatches, findIncompleteBatches, listBatches } from './batches.ts';
import { exportBatch } from './export-batch.ts';
import { batchDir } from './layout.ts';
import { verifyBatch } from './verify.ts';

const CHILD = join(import.meta.dirname, 'test-export-child.ts');
const LAYER = 'gold';
const tables = [
  { name: 'small', relation: 'crash.small' },
  { name: 'big', relation: 'crash.big' },
  { name: 'tail', relation: 'crash.tail' },
];

for (const factory of targets()) {
  test(`${factory.name}: an export killed after its first file leaves active on the previous, intact batch`, async () => {
    const target = await factory.create();
    const lakeDir = mkdtempSync(join(tmpdir(), 'strata-lake-crash-'));
    try {
      const engine = await target.open();
      await engine.exec(`
        create schema crash;
        create table crash.small as select g as id from generate_series(1, 100) g;
        create table crash.big as select g as id, repeat(md5(g::text), 6) as body from generate_series(1, 250000) g;
        create table crash.tail as select g as id from generate_series(1, 10) g;`);
      await exportBatch({ engine, lakeDir, layer: LAYER, batchId: 'b1', tables, activate: true });
      // PGlite admits one process at a time: the child gets the database to itself.
      await engine.close();

      const spec = { pgliteDir: target.env.STRATA_PGLITE_DIR, lakeDir, layer: LAYER, batchId: 'b2', tables };
      // The URL goes by environment: a child's arguments are visible to every user (ps).
      const env = { ...process.env, DATABASE_URL: target.databaseUrl ?? '' };
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(spec)], { stdio: ['ignore', 'ignore', 'pipe'], env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let running = true;
      void exited.then(() => (running = false));
      const firstFile = join(batchDir(lakeDir, LAYER, 'b2'), 'small.parquet');
      const deadline = Date.now() + 120_000;
      while (!existsSync(firstFile)) {
        assert.ok(running, `the child export ended before writing its first file: ${stderr}`);
        assert.ok(Date.now() < deadline, 'the child never wrote its first file');
        await sleep(2);
      }
      child.kill('SIGKILL');
      await exited;
      const left = readdirSync(batchDir(lakeDir, LAYER, 'b2'));
      assert.ok(!left.includes('manifest.json'), `the kill came too late to test anything: ${left.join(', ')}`);

      assert.equal(await readActive(lakeDir, LAYER), 'b1');
      const verified = await verifyBatch(lakeDir, LAYER);
      assert.deepEqual([verified.batchId, verified.ok, verified.verified], ['b1', true, ['small', 'big', 'tail']]);
      const b2 = (await listBatches(lakeDir, LAYER)).find((b) => b.id === 'b2')!;
      assert.deepEqual([b2.complete, b2.active, b2.inProgress], [false, false, false]);
      const incomplete = await findIncompleteBatches(lakeDir, LAYER);
      assert.deepEqual(
        incomplete.map((e) => [e.kind, e.batchId, e.inProgress]),
        [['batch', 'b2', false]],
      );
      assert.match(incomplete[0]!.reason, /manifest\.json: missing/);

      // The next run reports and cleans the debris, and the same batch id can be exported again.
      assert.equal((await cleanIncompleteBatches(lakeDir, LAYER)).removed.length, 1);
      const again = await target.open();
      try {
        const redo = await exportBatch({ engine: again, lakeDir, layer: LAYER, batchId: 'b2', tables, activate: true });
        assert.equal(redo.manifest.tables.find((t) => t.name === 'big')!.rows, 250000);
      } finally {
        await again.close();
      }
      assert.equal((await verifyBatch(lakeDir, LAYER)).ok, true);
      assert.equal(await readActive(lakeDir, LAYER), 'b2');
    } finally {
      await target.cleanup();
      rmSync(lakeDir, { recursive: true, force: true });
    }
  });
}
