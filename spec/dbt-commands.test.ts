/**
 * The dbt user's everyday commands end to end, on the classic jaffle_shop port:
 * `ls` answering a selector matrix with dbt's documented meaning, `state:modified` after
 * changing one model, one macro and one var, `retry` after a failure (both engines),
 * `--fail-fast`, `show`, and `init` then `build` in an empty folder.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { copyProject, runCli, targets, useSpecProject, withEngine } from './support.ts';
import { JAFFLE_CLASSIC, withSeeds } from './support/jaffle-classic.ts';

const lines = (text: string): string[] => text.trim().split('\n').filter(Boolean);

describe('ls: the selector matrix, as dbt documents each form', () => {
  const project = copyProject(JAFFLE_CLASSIC);
  withSeeds(project);
  after(() => rmSync(project, { recursive: true, force: true }));
  const ls = async (...args: string[]): Promise<string[]> => {
    const r = await runCli(['ls', '--resource-type', 'model', ...args], { projectDir: project });
    assert.equal(r.code, 0, r.stderr);
    return lines(r.stdout).sort();
  };

  test('graph operators, set operators, methods, selectors.yml', async () => {
    const cases: [string[], string[]][] = [
      [['-s', 'orders'], ['orders']],
      [['-s', '+orders'], ['orders', 'stg_orders', 'stg_payments']],
      [['-s', 'stg_payments+'], ['customers', 'orders', 'stg_payments']],
      [['-s', 'stg_orders+1'], ['customers', 'orders', 'stg_orders']],
      [['-s', '1+customers'], ['customers', 'stg_customers', 'stg_orders', 'stg_payments']],
      [['-s', '@stg_customers'], ['customers', 'stg_customers', 'stg_orders', 'stg_payments']],
      [['-s', 'layer:staging,config.materialized:view'], ['stg_customers', 'stg_orders', 'stg_payments']],
      [['-s', 'tag:finance customers'], ['customers', 'orders']],
      [['-s', '+orders,+customers'], ['stg_orders', 'stg_payments']],
      [['-s', 'config.materialized:table', '--exclude', 'tag:finance'], ['customers']],
      [['-s', 'path:models/staging', '-s', 'orders'], ['orders', 'stg_customers', 'stg_orders', 'stg_payments']],
      [['--selector', 'finance'], ['orders', 'stg_orders', 'stg_payments']],
      [['-s', 'stg_*'], ['stg_customers', 'stg_orders', 'stg_payments']],
    ];
    for (const [args, want] of cases) assert.deepEqual(await ls(...args), want, args.join(' '));
  });

  test('tests follow their models; seeds are listed by +', async () => {
    const r = await runCli(['ls', '-s', '+stg_payments', '--output', 'json'], { projectDir: project });
    const listed = lines(r.stdout).map((l) => JSON.parse(l) as { name: string; resource_type: string });
    assert.deepEqual(listed.filter((x) => x.resource_type !== 'test').map((x) => `${x.resource_type}:${x.name}`), ['seed:raw_payments', 'model:stg_payments']);
    assert.deepEqual(listed.filter((x) => x.resource_type === 'test').map((x) => x.name).sort(), [
      'stg_payments__accepted_values_payment_method', 'stg_payments__not_null_payment_id', 'stg_payments__unique_payment_id',
    ]);
  });

  test('a bad selector exits 2 with what is wrong', async () => {
    const r = await runCli(['ls', '-s', 'tag:finance,,orders'], { projectDir: project });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /an empty item around a comma/);
  });

  test('state:modified after changing one model, one macro and one var', async () => {
    const state = mkdtempSync(join(tmpdir(), 'strata-state-'));
    try {
      assert.equal((await runCli(['compile'], { projectDir: project })).code, 0);
      cpSync(join(project, 'target', 'manifest.json'), join(state, 'manifest.json'));
      assert.deepEqual(await ls('-s', 'state:modified', '--state', state), []);
      const edit = (rel: string, from: string, to: string): void => {
        const path = join(project, rel);
        writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
      };
      edit('models/staging/stg_customers.sql', 'first_name,', 'first_name as first_name,');
      assert.deepEqual(await ls('-s', 'state:modified', '--state', state), ['stg_customers']);
      edit('macros/cents_to_dollars.sql', '/ 100)', '/ 100.0)');
      assert.deepEqual(await ls('-s', 'state:modified', '--state', state), ['stg_customers', 'stg_payments']);
      const vars = ['--vars', '{payment_methods: [credit_card, coupon, bank_transfer, gift_card, paypal]}']; // a removed method would leave its column's tests without a column: a compile error
      const r = await runCli([...vars, 'ls', '--resource-type', 'model', '-s', 'state:modified', '--state', state], { projectDir: project });
      assert.deepEqual(lines(r.stdout).sort(), ['orders', 'stg_customers', 'stg_payments']);
      const down = await runCli([...vars, 'ls', '--resource-type', 'model', '-s', 'state:modified+', '--state', state], { projectDir: project });
      assert.deepEqual(lines(down.stdout).sort(), ['customers', 'orders', 'stg_customers', 'stg_payments']);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});

for (const factory of targets()) {
  describe(`retry, --fail-fast and show on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE_CLASSIC, async (s) => withSeeds(s.project));
    const cli = (args: string[]) => runCli(args, { projectDir: spec.project, target: spec.target });
    const results = () =>
      (JSON.parse(readFileSync(join(spec.project, 'target', 'run_results.json'), 'utf8')) as { command: string; results: { kind: string; name: string; status: string }[] }).results;

    test('a failed build leaves what is published; retry runs only what failed or was skipped', async () => {
      assert.equal((await cli(['build'])).code, 0);
      const customers = join(spec.project, 'models', 'marts', 'customers.sql');
      const good = readFileSync(customers, 'utf8');
      // Fails when it runs (compile cannot know): a missing column would already stop compile.
      writeFileSync(customers, good.replace('customer_orders.first_order,', "customer_orders.first_order, 'boom'::int as boom,"));
      const failed = await cli(['build']);
      assert.equal(failed.code, 1);
      const after1 = results();
      assert.equal(after1.find((x) => x.name === 'customers')!.status, 'error');
      assert.ok(after1.filter((x) => x.kind === 'test' && x.name.startsWith('customers__')).every((x) => x.status === 'skipped'));
      await withEngine(spec.target, async (e) => {
        const { rows } = await e.query<{ n: string | number }>('select count(*) as n from marts.customers');
        assert.equal(Number(rows[0]!.n), 100, 'the published customers are untouched');
      });
      writeFileSync(customers, good);
      const retried = await cli(['--json', 'retry']);
      assert.equal(retried.code, 0, retried.stderr);
      const ran = results();
      // orders comes along: its relationships test to customers was skipped.
      assert.deepEqual(ran.filter((x) => x.kind === 'model').map((x) => `${x.name}:${x.status}`).sort(), ['customers:success', 'orders:success']);
      assert.ok(ran.filter((x) => x.kind === 'test').every((x) => x.status === 'pass'));
      const nothing = await cli(['retry']);
      assert.equal(nothing.code, 0);
      assert.match(nothing.stdout, /nothing to retry/);
    });

    test('--fail-fast: after the first failure nothing new starts', async () => {
      const stg = join(spec.project, 'models', 'staging', 'stg_customers.sql');
      const good = readFileSync(stg, 'utf8');
      writeFileSync(stg, good.replace('first_name,', "('boom'::int)::text as first_name,"));
      try {
        const r = await cli(['build', '--fail-fast', '--threads', '1']);
        assert.equal(r.code, 1);
        const models = results().filter((x) => x.kind === 'model');
        assert.equal(models.find((x) => x.name === 'stg_customers')!.status, 'error');
        assert.deepEqual(models.filter((x) => x.status === 'success').map((x) => x.name), [], 'stg_customers runs first; nothing starts after it');
        assert.ok(models.filter((x) => x.name !== 'stg_customers').every((x) => x.status === 'skipped'));
      } finally {
        writeFileSync(stg, good);
      }
    });

    test('show previews a model and inline SQL, read only', async () => {
      const r = await cli(['--json', 'show', '-s', 'orders', '--limit', '3']);
      assert.equal(r.code, 0, r.stderr);
      const shown = JSON.parse(r.stdout) as { columns: string[]; rows: Record<string, unknown>[] };
      assert.equal(shown.rows.length, 3);
      assert.deepEqual(shown.columns.slice(4, 8), ['credit_card_amount', 'coupon_amount', 'bank_transfer_amount', 'gift_card_amount']);
      const inline = await cli(['--json', 'show', '--inline', 'select count(*)::int as n from {{ref "orders"}}']);
      assert.deepEqual((JSON.parse(inline.stdout) as { rows: unknown[] }).rows, [{ n: 99 }]);
      const write = await cli(['show', '--inline', 'select * from raw.raw_orders for update']);
      assert.equal(write.code, 1);
      assert.match(write.stderr, /read-only transaction/);
    });
  });
}

describe('init then build in an empty folder, on the embedded engine', () => {
  const parent = mkdtempSync(join(tmpdir(), 'strata-init-'));
  after(() => rmSync(parent, { recursive: true, force: true }));
  test('the scaffold builds, its tests pass, and init refuses a folder with files', async () => {
    const dir = join(parent, 'my_shop');
    const env = { STRATA_PGLITE_DIR: join(parent, 'db'), DATABASE_URL: '', NEON_DB_URL: '' };
    const init = await runCli(['init', dir], { projectDir: parent, env });
    assert.equal(init.code, 0, init.stderr);
    const build = await runCli(['--json', 'build'], { projectDir: dir, env });
    assert.equal(build.code, 0, build.stderr + build.stdout);
    assert.match(build.stdout, /"tests_pass":4/);
    const again = await runCli(['init', dir], { projectDir: parent, env });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /is not empty/);
  });
});
