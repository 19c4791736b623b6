import pg from 'pg';
import { loadProject } from '../src/project/load.ts';
import { loadEndpoints } from '../src/serve/endpoints.ts';
const e = loadEndpoints(loadProject('/work/wt-16'), 'analytics_user').find((x) => x.name === 'product_reviews')!;
const c = new pg.Client({ connectionString: 'postgres://analytics_user:x@127.0.0.1:5432/strata_bench_i16_serve_200000' });
await c.connect();
const p = (await c.query('select product_id from gold.dim_product order by review_count desc limit 1')).rows[0].product_id;
const args: Record<string, unknown> = { product_id: p, sort: 'helpful', limit: 11, cursor: '0' };
const steps: Record<string, number> = {};
const time = async (k: string, f: () => Promise<unknown>) => { const t = performance.now(); await f(); steps[k] = (steps[k] ?? 0) + performance.now() - t; };
const N = 300;
for (let i = 0; i < N; i++) {
  await time('begin', () => c.query('begin'));
  await time('setlock', () => c.query(`set transaction read only; set local statement_timeout = 2000; lock table ${e.views.join(', ')} in access share mode`));
  await time('batch', () => c.query(`select obj_description(to_regclass($1), 'pg_class') as c`, [e.views[0]]));
  await time('query', () => c.query(e.sql, e.bind.map((n) => args[n])));
  await time('commit', () => c.query('commit'));
}
for (const k in steps) console.log(k, (steps[k]! / N).toFixed(3), 'ms');
await c.end();
