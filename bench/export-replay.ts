/**
 * The client side of the lake export alone, without the server: `--dump` saves each gold
 * relation's binary COPY (as the lake selects it) to a directory once; a replay then feeds
 * those bytes, in socket-sized chunks, through the decoder and the parquet writer on this
 * one thread and prints its CPU seconds per table. For profiling (`node --cpu-prof`) and
 * for comparing decoder or writer changes on a busy machine, where CPU time is steadier
 * than wall time.
 *
 *   npx tsx bench/export-replay.ts --dump DIR --database-url postgres://…/strata_bench_x_1000000
 *   npx tsx bench/export-replay.ts --replay DIR [--tables a,b] [--compression snappy] [--out DIR]
 *
 * `--out` keeps the parquet files (to compare two writers' output); otherwise they go to a
 * temporary folder removed at the end.
 */
import { createWriteStream, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPostgresEngine } from '../src/engine/postgres.ts';
import { quoteIdent } from '../src/engine/quote.ts';
import { DEFAULT_PARQUET_SETTINGS, type ParquetCompression } from '../src/lake/parquet-encoder.ts';
import { describeColumns, type ColumnSpec } from '../src/lake/pg-columns.ts';
import { exportCopySql } from '../src/lake/export-table.ts';
import { planColumn } from '../src/lake/type-mapping.ts';

const SOCKET_CHUNK = 64 * 1024;

async function dump(dir: string, url: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const engine = createPostgresEngine(url, { maxConnections: 1 });
  try {
    const { rows } = await engine.query<{ name: string; schema: string }>(
      `select r.model as name, r.physical_schema as schema from strata.batch_relations r join strata.current_batch c using (batch_id) where r.layer = 'gold' order by 1`,
    );
    for (const r of rows) {
      const relation = `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`;
      const columns = await describeColumns(engine, relation);
      writeFileSync(join(dir, `${r.name}.columns.json`), JSON.stringify(columns));
      const out = createWriteStream(join(dir, `${r.name}.copy`));
      for await (const chunk of engine.copyTo(exportCopySql(columns.map(planColumn), relation))) {
        if (!out.write(chunk)) await new Promise<void>((res) => out.once('drain', () => res()));
      }
      await new Promise<void>((res) => out.end(res));
      console.log(`${r.name}: ${(statSync(join(dir, `${r.name}.copy`)).size / 2 ** 20).toFixed(0)} MiB`);
    }
  } finally {
    await engine.close();
  }
}

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  const fh = await open(path);
  try {
    for (;;) {
      // A fresh buffer per read, as a socket hands them out.
      const buf = Buffer.allocUnsafe(SOCKET_CHUNK);
      const { bytesRead } = await fh.read(buf, 0, SOCKET_CHUNK);
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/** CPU seconds of each of this process's threads (the first is the main thread), from /proc. */
function threadSeconds(): number[] {
  return readdirSync('/proc/self/task').map((t) => {
    const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  });
}

async function replay(dir: string, tables: string[] | undefined, compression: ParquetCompression, decodeOnly: boolean, keepIn?: string): Promise<void> {
  const { decodeHere } = await import('../src/lake/table-writer.ts');
  const { createParquetWriter } = await import('../src/lake/parquet-writer.ts');
  const { decodeCopyStream } = await import('../src/lake/copy-binary-decoder.ts');
  const names = tables ?? readdirSync(dir).filter((f) => f.endsWith('.copy')).map((f) => f.slice(0, -5));
  if (keepIn) mkdirSync(keepIn, { recursive: true });
  const out = keepIn ?? mkdtempSync(join(tmpdir(), 'strata-replay-'));
  const writer = decodeHere(createParquetWriter('inline'));
  let total = 0;
  const t00 = performance.now();
  const c00 = process.cpuUsage();
  try {
    for (const name of names) {
      const columns = JSON.parse(readFileSync(join(dir, `${name}.columns.json`), 'utf8')) as ColumnSpec[];
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let rows = 0;
      let bytes = 0;
      if (decodeOnly) {
        for await (const b of decodeCopyStream(fileChunks(join(dir, `${name}.copy`)), columns.map(planColumn), undefined, true)) rows += b.numRows;
      } else {
        const f = await writer.write({ path: join(out, `${name}.parquet`), columns, copy: fileChunks(join(dir, `${name}.copy`)), settings: { compression } });
        rows = f.rows;
        bytes = f.bytes;
      }
      const c = process.cpuUsage(c0);
      const cpu = (c.user + c.system) / 1e6;
      total += cpu;
      console.log(`${name.padEnd(28)} ${String(rows).padStart(8)} rows  cpu ${cpu.toFixed(2)} s  wall ${((performance.now() - t0) / 1000).toFixed(2)} s  parquet ${(bytes / 2 ** 20).toFixed(1)} MiB`);
    }
  } finally {
    await writer.close();
    if (!keepIn) rmSync(out, { recursive: true, force: true });
  }
  const c = process.cpuUsage(c00);
  console.log(`threads (cpu s): ${threadSeconds().map((t) => t.toFixed(2)).join(', ')}`);
  console.log(`total cpu ${((c.user + c.system) / 1e6).toFixed(2)} s (per table sum ${total.toFixed(2)}), wall ${((performance.now() - t00) / 1000).toFixed(2)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
}

const { values } = parseArgs({
  options: {
    dump: { type: 'string' },
    replay: { type: 'string' },
    tables: { type: 'string' },
    compression: { type: 'string', default: DEFAULT_PARQUET_SETTINGS.compression },
    'decode-only': { type: 'boolean', default: false },
    out: { type: 'string' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
if (values.dump) await dump(values.dump, values['database-url']!);
else if (values.replay) await replay(values.replay, values.tables?.split(','), values.compression as ParquetCompression, values['decode-only'] === true, values.out);
else throw new Error('--dump DIR or --replay DIR');
