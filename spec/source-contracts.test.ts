/**
 * Source contracts (issue 10, item 6): the columns of each source table are declared in
 * project.yaml and checked against the live database before build, run and test run
 * anything; health reports a broken contract as degraded. A dropped and a retyped column
 * are named with the table, the column, the type expected and the type found.
 */
import assert from 'node:assert/strict';
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
}
