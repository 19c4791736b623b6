/**
 * The build's lake export, on both engines: on a server each table is written while the
 * batch still runs (beside the models and tests left), on the embedded engine only after
 * the publish; either way a batch that is not published leaves nothing in the lake and
 * `active` where it was.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { JAFFLE, events, runCli, startCli, targets, useSpecProject } from './support.ts';

const batchDirs = (lake: string): string[] => readdirSync(lake).filter((d) => d.startsWith('batch=')).sort();

/** Every path under `dir`, relative to it. */
const allFiles = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

for (const factory of targets('lakeearly')) {
  describe(`the build's lake export on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE);

    test('tables go to the lake as they are built (on a server); a batch that fails removes them and leaves active alone', async () => {
      const { target, project } = spec;
      const lake = join(project, 'data', 'marts');
      const first = await runCli(['--json', 'build'], { projectDir: project, target });
      assert.equal(first.code, 0, first.stdout + first.stderr);
      const batchA = String(events(first.stdout).find((e) => e.event === 'run_end')?.batch_id);
      assert.equal(readFileSync(join(lake, 'active'), 'utf8').trim(), batchA);
      const before = allFiles(join(project, 'data'));

      // A data test that fails slowly, after every marts table is built: a window in which a
      // server's export has written them.
      writeFileSync(join(project, 'tests', 'late_failure.sql'), 'select c.customer_id from {{ref "customers"}} c cross join (select pg_sleep(1.5)) s limit 1\n');
      const run = startCli(['--json', 'build', '--full-refresh'], { projectDir: project, target });
      const seen = new Set<string>();
      const watch = setInterval(() => {
        for (const d of batchDirs(lake)) if (d !== `batch=${batchA}` && existsSync(join(lake, d, 'orders.parquet'))) seen.add(d);
      }, 20);
      const failed = await run.done.finally(() => clearInterval(watch));
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
      const end = events(failed.stdout).find((e) => e.event === 'run_end');
      assert.equal(end?.published, false);
      const batchB = String(end?.batch_id);

      if (target.name === 'postgres') assert.deepEqual([...seen], [`batch=${batchB}`], 'the built tables were in the lake before the batch ended');
      else assert.deepEqual([...seen], [], 'the embedded engine exports only a published batch');
      assert.deepEqual(allFiles(join(project, 'data')), before, 'nothing of the failed batch is left, no temp file either');
      assert.equal(readFileSync(join(lake, 'active'), 'utf8').trim(), batchA);

      // The next good batch is complete in the lake and active.
      writeFileSync(join(project, 'tests', 'late_failure.sql'), 'select c.customer_id from {{ref "customers"}} c where false\n');
      const good = await runCli(['--json', 'build', '--full-refresh'], { projectDir: project, target });
      assert.equal(good.code, 0, good.stdout + good.stderr);
      const batchC = String(events(good.stdout).find((e) => e.event === 'run_end')?.batch_id);
      assert.equal(readFileSync(join(lake, 'active'), 'utf8').trim(), batchC);
      assert.deepEqual(allFiles(join(lake, `batch=${batchC}`)), ['customers.parquet', 'manifest.json', 'orders.parquet']);
      const exported = events(good.stdout).find((e) => e.event === 'export_end');
      assert.equal(exported?.tables, 2);
      const verify = await runCli(['lake', 'verify'], { projectDir: project, target });
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    });
  });
}
