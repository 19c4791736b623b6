/**
 * `COPY … TO STDOUT (format binary)` read through pg-copy-streams against strata's own
 * reader (src/engine/copy-out.ts), which replaced it for the lake export: the same COPY,
 * consumed the same way (every byte touched once), paired runs alternating. Prints the
 * client CPU (this process), wall and bytes of each.
 * Usage: npx tsx bench/copy-out.ts [--database-url URL] [--rows 2000000] [--repeat 5]
 * Without a URL: a scratch database on postgres://postgres@127.0.0.1:5432/postgres, dropped after.
 */
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { loadavg } from 'node:os';
import { CopyOutStream } from '../src/engine/copy-out.ts';
import { adminSql } from './support/admin-sql.ts';
import { writeBenchResult } from './results.ts';

const arg = (name: string): string | undefined => process.argv.find((_, i) => process.argv[i - 1] === name);
const rows = Number(arg('--rows') ?? 2_000_000);
const repeat = Number(arg('--repeat') ?? 5);
const given = arg('--database-url');
const admin = 'postgres://postgres@127.0.0.1:5432/postgres';
const scratch = `strata_bench_copyout_${process.pid}`;
const url = given ?? admin.replace(/\/postgres$/, `/${scratch}`);

// Rows shaped like the gold's: ids, numerics, floats, text of review length, a timestamp.
const COPY = `copy (select i as review_id, (i % 50000)::int as product_id, (i % 5 + 1)::smallint as rating,
  round((i % 1000) / 10.0, 2)::numeric as score, (i % 997) / 997.0 as share, repeat('great value ', 1 + i % 20) as body,
  now() - (i || ' minutes')::interval as updated_at from generate_series(1, ${rows}) i) to stdout (format binary)`;

async function consume(stream: AsyncIterable<Uint8Array>): Promise<{ bytes: number; checksum: number }> {
  let bytes = 0;
  let checksum = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i += 4096) checksum = (checksum + chunk[i]!) | 0;
  }
  return { bytes, checksum };
}

const readers = {
  'pg-copy-streams': (c: pg.Client) => c.query(copyStreams.to(COPY)) as AsyncIterable<Uint8Array>,
  'strata copy-out': (c: pg.Client) => c.query(new CopyOutStream(COPY)) as unknown as AsyncIterable<Uint8Array>,
};

if (!given) await adminSql(admin, `create database ${scratch}`);
const client = new pg.Client({ connectionString: url });
await client.connect();
const figures: Record<string, { wall_s: number[]; client_cpu_s: number[]; bytes: number }> = {};
try {
  for (let r = 0; r < repeat; r++) {
    for (const [name, read] of Object.entries(readers)) {
      globalThis.gc?.();
      const t = performance.now();
      const c0 = process.cpuUsage();
      const { bytes } = await consume(read(client));
      const cpu = process.cpuUsage(c0);
      const f = (figures[name] ??= { wall_s: [], client_cpu_s: [], bytes });
      f.wall_s.push((performance.now() - t) / 1000);
      f.client_cpu_s.push((cpu.user + cpu.system) / 1e6);
    }
  }
} finally {
  await client.end();
  if (!given) await adminSql(admin, `drop database ${scratch}`);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rowsOut = Object.entries(figures).map(([reader, f]) => ({
  reader,
  rows,
  mib: +(f.bytes / 2 ** 20).toFixed(1),
  median_wall_s: +median(f.wall_s).toFixed(3),
  median_client_cpu_s: +median(f.client_cpu_s).toFixed(3),
}));
for (const r of rowsOut) console.log(`${r.reader.padEnd(16)} ${r.rows.toLocaleString('en-US')} rows, ${r.mib} MiB: ${r.median_wall_s} s wall, ${r.median_client_cpu_s} s client CPU (medians of ${repeat})`);
console.log(`load average ${loadavg()[0]!.toFixed(1)} (2 cores)`);
writeBenchResult('copy-out', { repeat, figures: rowsOut, load: loadavg()[0] });
