/**
 * What an incremental merge pays for carrying a model's previous table into the new batch,
 * against computing the model: the server CPU of the one-pass copy a merge writes (every row
 * but a delta of 10,000), its unique index and analyze, for models of a built database's
 * published batch. Serial (no parallel workers), rolled back.
 * Usage: npx tsx bench/merge-cost.ts --database-url postgres://…/strata_bench_perf_1000000 [--models review_features,review_checks]
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { writeBenchResult } from './results.ts';

const arg = (name: string, fallback: string): string => process.argv.find((_, i) => process.argv[i - 1] === name) ?? fallback;
const url = arg('--database-url', 'postgres://postgres@127.0.0.1:5432/strata_bench_perf_1000000');
const models = arg('--models', 'review_features,review_checks,fact_reviews').split(',');

const client = new pg.Client({ connectionString: url });
await client.connect();
const pid = (await client.query<{ p: number }>('select pg_backend_pid() as p')).rows[0]!.p;
// The backend's utime + stime (the server runs on this machine).
const cpu = (): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100;
};
const figures: Record<string, Record<string, number>> = {};
await client.query('set max_parallel_workers_per_gather = 0');
for (const model of models) {
  const { rows } = await client.query<{ s: string }>(
    'select physical_schema as s from strata.batch_relations where batch_id = (select batch_id from strata.current_batch) and model = $1',
    [model],
  );
  const t = `"${rows[0]!.s}"."${model}"`;
  const n = Number((await client.query<{ n: string }>(`select count(*) as n from ${t}`)).rows[0]!.n);
  figures[model] = { rows: n };
  await client.query('begin');
  for (const [label, sql] of [
    ['copy', `create temp table x as select * from ${t} p where not exists (select from (select review_id from ${t} limit 10000) d where d.review_id = p.review_id)`],
    ['unique_index', 'create unique index on x (review_id)'],
    ['analyze', 'analyze x'],
  ] as const) {
    const before = cpu();
    await client.query(sql);
    figures[model]![`${label}_cpu_s`] = +(cpu() - before).toFixed(2);
  }
  await client.query('rollback');
  const f = figures[model]!;
  console.log(`${model} (${n.toLocaleString('en-US')} rows): copy ${f.copy_cpu_s} + index ${f.unique_index_cpu_s} + analyze ${f.analyze_cpu_s} server CPU s = ${(((f.copy_cpu_s ?? 0) + (f.unique_index_cpu_s ?? 0) + (f.analyze_cpu_s ?? 0)) / n * 1e6).toFixed(1)} µs per row`);
}
await client.end();
writeBenchResult('merge-cost', { figures });
