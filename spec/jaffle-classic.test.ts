/**
 * dbt's classic jaffle_shop, ported (spec/fixtures/jaffle_classic): its `orders` model's
 * `{% for payment_method in payment_methods %}` loop is a strata loop over a list var, the
 * marts are tables through a yml `config:` block, a docs block and an exposure are read.
 * Built from the real seed files in ../shared/external/jaffle_shop on each engine, the
 * marts must equal what plain SQL written independently against the raw seeds computes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, targets, useSpecProject, withEngine } from './support.ts';
import { JAFFLE_CLASSIC, withSeeds } from './support/jaffle-classic.ts';

/** dbt's orders, from the raw tables, with no template and no staging model. */
const EXPECTED_ORDERS = `
  select o.id as order_id, o.user_id as customer_id, o.order_date, o.status,
         p.credit_card_amount, p.coupon_amount, p.bank_transfer_amount, p.gift_card_amount, p.total as amount
  from raw.raw_orders o
  left join (
    select order_id,
           sum(case when payment_method = 'credit_card' then amount / 100 else 0 end) as credit_card_amount,
           sum(case when payment_method = 'coupon' then amount / 100 else 0 end) as coupon_amount,
           sum(case when payment_method = 'bank_transfer' then amount / 100 else 0 end) as bank_transfer_amount,
           sum(case when payment_method = 'gift_card' then amount / 100 else 0 end) as gift_card_amount,
           sum(amount / 100) as total
    from raw.raw_payments group by order_id
  ) p on p.order_id = o.id`;

const EXPECTED_CUSTOMERS = `
  select c.id as customer_id, c.first_name, c.last_name,
         (select min(order_date) from raw.raw_orders where user_id = c.id) as first_order,
         (select max(order_date) from raw.raw_orders where user_id = c.id) as most_recent_order,
         nullif((select count(*) from raw.raw_orders where user_id = c.id), 0) as number_of_orders, -- NULL without orders, as the left join gives
         (select sum(p.amount / 100) from raw.raw_payments p join raw.raw_orders o on o.id = p.order_id where o.user_id = c.id) as customer_lifetime_value
  from raw.raw_customers c`;

for (const factory of targets()) {
  describe(`the classic jaffle_shop port on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE_CLASSIC, async (s) => withSeeds(s.project));

    test('builds, every dbt test of the original passes, and the marts equal plain SQL', async () => {
      const r = await runCli(['--json', 'build'], { projectDir: spec.project, target: spec.target });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const end = r.stdout.split('\n').filter((l) => l.includes('"run_end"')).map((l) => JSON.parse(l) as { summary: Record<string, number> })[0]!;
      assert.equal(end.summary.tests_pass, 21, JSON.stringify(end.summary));
      await withEngine(spec.target, async (engine) => {
        for (const [model, expected, n] of [['orders', EXPECTED_ORDERS, 99], ['customers', EXPECTED_CUSTOMERS, 100]] as const) {
          const diff = await engine.query(`(select * from marts.${model} except all (${expected})) union all ((${expected}) except all select * from marts.${model})`);
          assert.deepEqual(diff.rows, [], `${model} differs from plain SQL`);
          const { rows } = await engine.query<{ n: string | number }>(`select count(*) as n from marts.${model}`);
          assert.equal(Number(rows[0]!.n), n);
        }
        // The loop made one column per payment method, in the var's order.
        const { rows: cols } = await engine.query<{ column_name: string }>(
          `select column_name from information_schema.columns where table_schema = 'marts' and table_name = 'orders' order by ordinal_position`,
        );
        assert.deepEqual(cols.map((c) => c.column_name), ['order_id', 'customer_id', 'order_date', 'status', 'credit_card_amount', 'coupon_amount', 'bank_transfer_amount', 'gift_card_amount', 'amount']);
      });
      const results = JSON.parse(readFileSync(join(spec.project, 'target', 'run_results.json'), 'utf8')) as { results: { kind: string; name: string; materialized: string }[] };
      assert.deepEqual(
        results.results.filter((x) => x.kind === 'model').map((x) => `${x.name} ${x.materialized}`).sort(),
        ['customers table', 'orders table', 'stg_customers view', 'stg_orders view', 'stg_payments view'],
        'the marts are tables through their yml config block',
      );
      const manifest = JSON.parse(readFileSync(join(spec.project, 'target', 'manifest.json'), 'utf8')) as {
        nodes: Record<string, { config: { materialized: string }; columns: { name: string; description: string }[] }>;
        exposures: { name: string; refs: string[] }[];
      };
      assert.equal(manifest.nodes.orders!.config.materialized, 'table', 'the yml config block is kept');
      assert.match(manifest.nodes.orders!.columns.find((c) => c.name === 'status')!.description, /^Orders can be one of the following statuses:/);
      assert.deepEqual(manifest.exposures.map((e) => [e.name, e.refs]), [['finance_dashboard', ['orders', 'customers']]]);
    });
  });
}
