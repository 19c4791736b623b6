/**
 * Model contracts on jaffle_shop, on each engine: a contract that holds publishes; one the
 * SQL analysis can already refute fails at compile time, at the schema.yml line, before any
 * database; one only the database can refute (a seed's inferred type, nulls) fails at build
 * time, names model, column, expected and found, and publishes nothing. Then the Amazon
 * project: every gold model has an enforced contract, and it holds on a real build.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compileProject, loadSqlParser } from '../src/api/compile.ts';
import type { BatchPlan } from '../src/plan/types.ts';
import { JAFFLE, REPO, runCli, targets, useSpecProject, withEngine } from './support.ts';

const MODEL = `{{config materialized="table"}}
select c.customer_id, c.first_name,
       case when c.customer_id > 50 then null else c.last_name end as nickname,
       1.5::numeric(4,1) as score
from {{ref "stg_customers"}} c
`;

const contract = (columns: Record<string, string>, notNull: string[] = []): string =>
  `\n  - name: contracted\n    config:\n      contract: {enforced: true}\n    columns:\n` +
  Object.entries(columns).map(([name, type]) =>
    `      - name: ${name}\n        data_type: ${type}\n${notNull.includes(name) ? '        constraints: [{type: not_null}]\n' : ''}`).join('');

const GOOD = { customer_id: 'integer', first_name: 'text', nickname: 'text', score: 'numeric(4, 1)' };

for (const factory of targets()) {
  describe(`model contracts on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE);
    const schemaFile = () => join(spec.project, 'models', 'marts', 'schema.yml');
    let original = '';
    const withContract = (text: string): void => {
      original ||= readFileSync(schemaFile(), 'utf8');
      writeFileSync(schemaFile(), original + text);
      writeFileSync(join(spec.project, 'models', 'marts', 'contracted.sql'), MODEL);
    };
    const build = () => runCli(['build'], { projectDir: spec.project, target: spec.target });
    const published = () => withEngine(spec.target, async (db) =>
      Number((await db.query<{ n: string }>(`select count(*) as n from information_schema.tables where table_schema = 'marts' and table_name = 'contracted'`)).rows[0]!.n));

    test('a contract that holds: the model is built and published', async () => {
      withContract(contract(GOOD, ['customer_id']));
      const r = await build();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(await published(), 1);
      // Built again unchanged: reused, and the contract its table was checked against is the same, so it is not checked again.
      const again = await build();
      assert.equal(again.code, 0, again.stdout + again.stderr);
      const plan = JSON.parse(readFileSync(join(spec.project, 'target', 'plan.json'), 'utf8')) as BatchPlan;
      const m = plan.models.find((x) => x.model === 'contracted')!;
      assert.deepEqual([m.action, m.contractKept], ['reuse', true]);
    });

    test('a type the analysis knows differs: compile error at the model entry, no database touched', async () => {
      withContract(contract({ ...GOOD, score: 'integer' }));
      const r = await runCli(['compile'], { projectDir: spec.project });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /models\/marts\/schema\.yml:\d+ \(contracted\): contract of `contracted` not met: column `score`: expected integer, found numeric\(4,1\)/);
    });

    test('a missing and an extra column: compile error naming both', async () => {
      const { score: _, ...withoutScore } = GOOD;
      withContract(contract({ ...withoutScore, loyalty_tier: 'text' }));
      const r = await runCli(['compile'], { projectDir: spec.project });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /column `loyalty_tier` \(text\) is missing/);
      assert.match(r.stderr, /column `score` \(numeric\(4,1\)\) is produced but not in the contract/);
    });

    test('a type only the database knows, and nulls in a not-null column: build fails, nothing published', async () => {
      const before = await published();
      withContract(contract({ ...GOOD, first_name: 'integer' }, ['nickname']));
      const r = await build();
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /contract of marts\.contracted not met \(models\/marts\/contracted\.sql\)/);
      assert.match(r.stdout, /column `first_name`: expected integer, found text/);
      assert.match(r.stdout, /column `nickname` is declared not null but has \d+ null rows/);
      assert.match(r.stdout, /NOT published/);
      assert.equal(await published(), before, 'the published batch is untouched');
    });
  });
}

describe('the Amazon project: every gold model has an enforced contract', () => {
  test('declared for every gold model, every column typed', async () => {
    await loadSqlParser();
    const { compiled } = compileProject({ projectDir: REPO, writeArtifacts: false });
    const gold = [...compiled.models.values()].filter((m) => m.layer === 'gold');
    assert.equal(gold.length, 7);
    for (const m of gold) {
      const doc = compiled.project.docs.get(m.name);
      assert.ok(doc?.contract, `${m.name} has no enforced contract`);
      for (const c of doc.columns) assert.ok(c.dataType, `${m.name}.${c.name} has no data_type`);
    }
  });
});
