import type { Queryable } from '../engine/engine.ts';
import { qualify, quoteIdent, sqlLiteral } from '../engine/quote.ts';

/** A table being bulk-loaded, and what an error about it should name. */
export interface BulkTable {
  schema: string;
  name: string;
  /** Prefix of an error about this table's rows, e.g. `amazon.review (sample/amazon/review.csv)`. */
  describe: string;
}

/**
 * Runs `load` into empty tables with their foreign keys and secondary indexes set aside,
 * and puts them back afterwards, as pg_restore does: one index build and one anti-join per
 * foreign key instead of an index insert and a trigger per row (a 1M-review sample spent
 * most of its load there). Primary keys stay, so a duplicate still fails on its CSV line;
 * a row breaking a foreign key is named by its key (PostgreSQL checks foreign keys after the
 * COPY, never per line, either way). Runs inside the caller's transaction, so nobody ever
 * sees a table without its keys, and on an error nothing of it remains.
 */
export async function withKeysSetAside<T>(tx: Queryable, tables: readonly BulkTable[], load: () => Promise<T>): Promise<T> {
  const oids = `array[${tables.map((t) => `${sqlLiteral(qualify(t.schema, t.name))}::regclass`).join(', ')}]`;
  const { rows: fks } = await tx.query<{ schema: string; table: string; name: string; def: string }>(
    `select n.nspname as schema, c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as def
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and k.conrelid = any(${oids}) order by 1, 2, 3`,
  );
  const { rows: indexes } = await tx.query<{ name: string; def: string }>(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
       from pg_index i
      where i.indrelid = any(${oids}) and not exists (select from pg_constraint c where c.conindid = i.indexrelid)
      order by 1`,
  );
  for (const fk of fks) await tx.query(`alter table ${qualify(fk.schema, fk.table)} drop constraint ${quoteIdent(fk.name)}`);
  for (const ix of indexes) await tx.query(`drop index ${ix.name}`);
  const result = await load();
  await tx.query(`set local maintenance_work_mem = '256MB'`);
  for (const ix of indexes) await tx.query(ix.def);
  for (const fk of fks) {
    try {
      await tx.query(`alter table ${qualify(fk.schema, fk.table)} add constraint ${quoteIdent(fk.name)} ${fk.def}`);
    } catch (err) {
      const e = err as { message: string; detail?: string };
      const table = tables.find((t) => t.schema === fk.schema && t.name === fk.table)!;
      throw new Error(`${table.describe}: ${e.message}${e.detail ? ` (${e.detail})` : ''}; nothing was loaded`);
    }
  }
  return result;
}
