/**
 * Source contracts (issue 10, item 6): the columns of each source table are declared in
 * project.yaml and checked against the live database before build, run and test run
 * anything; health reports a broken contract as degraded. A dropped and a retyped column
 * are named with the table, the column, the type expected and the type found. Source
 * freshness (item 7): warn and error by `loaded_at_field`, in `source freshness`, health
 * and metrics.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, targets, useSpecProject, withEngine } from './support.ts';

for (const factory of targets('i10')) {
  describe(`source contracts on ${factory.name}`, () => {
    const spec = useSpecProject(factory, undefined, async ({ target, project }) => {
      const m = await runCli(['migrate'], { projectDir: project, target });
      assert.equal(m.code, 0, m.stdout + m.stderr);
    });

    test('a dropped and a retyped source column stop build, run and test before anything runs, and make health degraded', async () => {
      const { target, project } = spec;
      let h = await runCli(['health', '--json'], { projectDir: project, target });
      const ok = JSON.parse(h.stdout) as { checks: { name: string; status: string; detail: string }[] };
      assert.equal(ok.checks.find((c) => c.name === 'source_contracts')?.status, 'ok', h.stdout);

      await withEngine(target, (db) => db.exec('alter table amazon.review drop column title; alter table amazon.review_image alter column width type text'));
      const expected = [/amazon\.review\.title: the column is missing \(expected text\)/, /amazon\.review_image\.width: expected integer, found text/];
      for (const command of [['build'], ['run'], ['test']]) {
        const r = await runCli(command, { projectDir: project, target });
        assert.equal(r.code, 1, `${command}: ${r.stdout}${r.stderr}`);
        for (const re of expected) assert.match(r.stdout + r.stderr, re, `${command}`);
        assert.match(r.stdout + r.stderr, /the sources break their contract in project\.yaml, so nothing ran/);
      }
      await withEngine(target, async (db) => {
        const { rows } = await db.query<{ n: string | number }>('select count(*) as n from strata.batches');
        assert.equal(Number(rows[0]!.n), 0, 'no batch was started');
      });
      h = await runCli(['health', '--json'], { projectDir: project, target });
      assert.equal(h.code, 1, h.stdout + h.stderr);
      const report = JSON.parse(h.stdout) as { status: string; checks: { name: string; status: string; detail: string }[] };
      assert.equal(report.status, 'degraded');
      const check = report.checks.find((c) => c.name === 'source_contracts')!;
      assert.equal(check.status, 'degraded');
      for (const re of expected) assert.match(check.detail, re);
    });
  });

  describe(`source freshness on ${factory.name}`, () => {
    const spec = useSpecProject(factory, undefined, async ({ target, project }) => {
      const yaml = join(project, 'project.yaml');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(
        '      - name: review\n',
        '      - name: review\n        loaded_at_field: updated_at\n        freshness: { warn_after: { count: 1, period: hour }, error_after: { count: 1, period: day } }\n',
      ));
      const m = await runCli(['migrate'], { projectDir: project, target });
      assert.equal(m.code, 0, m.stdout + m.stderr);
      await withEngine(target, (db) => db.exec(`
        insert into amazon.buyer values (1, 'Ada', null, 'GB', now());
        insert into amazon.product values ('P1', 'Kettle', 'Acme', 'Home', 9.99, now());
        insert into amazon.review (review_id, product_id, buyer_id, rating, title, body, created_at, updated_at)
          values (1, 'P1', 1, 5, 'Good', 'Boils fast.', now() - interval '3 hours', now() - interval '3 hours')`));
    });

    test('warn after an hour, error after a day: source freshness exits 1 then 2, health and metrics show the age', async () => {
      const { target, project } = spec;
      let r = await runCli(['source', 'freshness'], { projectDir: project, target });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /WARN  amazon\.review: newest updated_at 3\.0 h old .*; warn after 60 min, error after 24\.0 h/);
      assert.match(r.stdout, /source freshness: WARN/);

      await withEngine(target, (db) => db.query(`update amazon.review set updated_at = now() - interval '50 hours'`));
      r = await runCli(['source', 'freshness', '--json'], { projectDir: project, target });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const [review] = JSON.parse(r.stdout) as { table: string; status: string; ageSeconds: number; errorAfterSeconds: number }[];
      assert.equal(review!.table, 'review');
      assert.equal(review!.status, 'error');
      assert.ok(Math.abs(review!.ageSeconds - 50 * 3600) < 600, String(review!.ageSeconds));
      assert.equal(review!.errorAfterSeconds, 86_400);

      const h = await runCli(['health', '--json'], { projectDir: project, target });
      const report = JSON.parse(h.stdout) as { checks: { name: string; status: string; detail: string }[] };
      const check = report.checks.find((c) => c.name === 'source_freshness');
      assert.equal(check?.status, 'degraded', h.stdout);
      assert.match(check!.detail, /ERROR amazon\.review: newest updated_at 50\.0 h old/);
      const m = await runCli(['metrics'], { projectDir: project, target });
      assert.match(m.stdout, /strata_source_freshness_status\{source="amazon",table="review"\} 2/);
      assert.match(m.stdout, /strata_source_age_seconds\{source="amazon",table="review"\} 1[78]\d{4}/);

      await withEngine(target, (db) => db.query(`update amazon.review set updated_at = now()`));
      r = await runCli(['source', 'freshness'], { projectDir: project, target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /PASS  amazon\.review/);
    });
  });
}
