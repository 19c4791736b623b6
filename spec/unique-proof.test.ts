/**
 * `unique` tests proven by the catalog (src/checks/unique-proof.ts), on each engine: a test on
 * a column with a model's single-column unique index passes without its query, and says so,
 * in a build and in `strata test`, and so does one on a view that only filters that model (in a
 * build, where the SQL analyzed is the SQL built);
 * one on a column whose index spans more columns, or whose model has none, or on a view whose
 * select list repeats rows, runs its query and still finds duplicates.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { JAFFLE, events, runCli, targets, useSpecProject } from './support.ts';

const MODELS: Record<string, string> = {
  u_indexed: '{{config materialized="table" indexes="unique:id"}}\nselect g as id, g % 3 as grp from generate_series(1, 50) g\n',
  u_pair: '{{config materialized="table" indexes="unique:id+grp"}}\nselect g % 10 as id, g as grp from generate_series(1, 50) g\n',
  u_plain: '{{config materialized="table"}}\nselect g % 25 as id from generate_series(1, 50) g\n',
  // Filters and projects u_indexed: each of its rows at most once, so its ids stay unique.
  u_view: '{{config materialized="view"}}\nselect v.id as id, v.grp from {{ref "u_indexed"}} v where v.id > 5\n',
  // A set-returning function in the select list repeats every row of u_indexed twice.
  u_twice: '{{config materialized="view"}}\nselect id, generate_series(1, 2) as k from {{ref "u_indexed"}}\n',
};

/** Each model's unique tests, by column: `error` where it must pass, `warn` where duplicates are expected. */
const UNIQUE: Record<string, Record<string, 'error' | 'warn'>> = {
  u_indexed: { id: 'error', grp: 'warn' },
  u_pair: { id: 'warn' },
  u_plain: { id: 'warn' },
  u_view: { id: 'error', grp: 'warn' },
  u_twice: { id: 'warn' },
};
const TESTS = Object.entries(UNIQUE)
  .map(([model, columns]) => `\n  - name: ${model}\n    columns:${Object.entries(columns).map(([c, severity]) => `\n      - name: ${c}\n        tests:\n          - unique: { severity: ${severity} }`).join('')}`)
  .join('') + '\n';

for (const factory of targets()) {
  describe(`unique tests proven by an index on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE);

    test('an index on exactly the column proves it; any other unique test runs and finds the duplicates', async () => {
      const marts = join(spec.project, 'models', 'marts');
      for (const [name, sql] of Object.entries(MODELS)) writeFileSync(join(marts, `${name}.sql`), sql);
      writeFileSync(join(marts, 'schema.yml'), readFileSync(join(marts, 'schema.yml'), 'utf8') + TESTS);
      const r = await runCli(['--json', 'build'], { projectDir: spec.project, target: spec.target });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const ends = new Map(events(r.stdout).filter((e) => e.event === 'test_end').map((e) => [e.test as string, e]));
      const proven = ends.get('u_indexed__unique_id')!;
      assert.equal(proven.status, 'pass');
      assert.match(String(proven.proven_by), /^u_indexed_id/, JSON.stringify(proven));
      // Duplicates are found where no index on exactly that column holds: 50 rows over 3 groups,
      // 10 ids under an (id, grp) index, 25 ids in a plain table.
      // A view that only filters u_indexed is proven by u_indexed's index, through the copy.
      assert.equal(ends.get('u_view__unique_id')!.status, 'pass');
      assert.match(String(ends.get('u_view__unique_id')!.proven_by), /^u_indexed_id\w* \(u_view\.id copies u_indexed\.id row for row\)$/);
      // 45 rows over 3 groups in the view; 50 ids each twice through the set-returning function.
      for (const [name, duplicated] of [['u_indexed__unique_grp', 3], ['u_pair__unique_id', 10], ['u_plain__unique_id', 25], ['u_view__unique_grp', 3], ['u_twice__unique_id', 50]] as const) {
        const e = ends.get(name)!;
        assert.equal(e.proven_by, undefined, name);
        assert.equal(e.status, 'warn', name);
        assert.equal(e.failures, duplicated, name);
      }

      // target/run_results.json says it too.
      const results = JSON.parse(readFileSync(join(spec.project, 'target', 'run_results.json'), 'utf8')) as { results: { name: string; proven_by?: string }[] };
      assert.match(String(results.results.find((x) => x.name === 'u_indexed__unique_id')?.proven_by), /^u_indexed_id/);
      assert.equal(results.results.find((x) => x.name === 'u_plain__unique_id')?.proven_by, undefined);

      const text = await runCli(['build', '--full-refresh', '--select', 'u_indexed+'], { projectDir: spec.project, target: spec.target });
      assert.match(text.stdout, /PASS {2}u_indexed__unique_id \(proven by unique index u_indexed_id\w*, not scanned\)/);

      // `strata test` reads the published views: the view's batch table has the index.
      const tested = await runCli(['--json', 'test'], { projectDir: spec.project, target: spec.target });
      assert.equal(tested.code, 0, tested.stdout + tested.stderr);
      const again = new Map(events(tested.stdout).filter((e) => e.event === 'test_end').map((e) => [e.test as string, e]));
      assert.match(String(again.get('u_indexed__unique_id')?.proven_by), /^u_indexed_id/);
      // The published view may come from older SQL than the project's: its test runs.
      assert.equal(again.get('u_view__unique_id')?.proven_by, undefined);
      assert.equal(again.get('u_view__unique_id')?.status, 'pass');
      assert.equal(again.get('u_twice__unique_id')?.failures, 50);
      assert.equal(again.get('u_plain__unique_id')?.proven_by, undefined);
      assert.equal(again.get('u_plain__unique_id')?.failures, 25);
    });
  });
}
