/**
 * A `unique` test decided by the database's catalog instead of a scan: when the relation the
 * test reads has a valid unique index on exactly that one column (no predicate, no
 * expression), PostgreSQL itself refuses a second row with the same non-null value, which is
 * all the test looks for (it ignores nulls, as dbt's does). A model's `indexes="unique:…"`
 * config makes such an index; at 1M reviews each such test was a sort or hash of the whole
 * table (0.5–1.4 s). Every other unique test (a view, an index over more columns, a partial
 * one) runs its query as before. A build asks about the tables it reads; `strata test`, which
 * reads the published views, about the table each view is (publish makes a published view
 * `select * from` its batch's table: batch/publish.ts).
 */
import type { CompiledTest } from '../compile/types.ts';
import type { Queryable } from '../engine/engine.ts';

/**
 * The index that proves `test` (its name), or undefined when the test must run. `tableOf`
 * names the table the test's rows are in (schema-qualified SQL), undefined when unknown.
 */
export async function uniqueIndexProof(db: Queryable, test: CompiledTest, tableOf: (model: string) => string | undefined): Promise<string | undefined> {
  if (test.kind !== 'unique' || !test.column || !test.model || test.refs.length !== 1 || test.refs[0] !== test.model) return undefined;
  const table = tableOf(test.model);
  if (!table) return undefined;
  const found = db.query<{ index: string }>(
    `select x.relname as index
       from pg_index i
       join pg_class x on x.oid = i.indexrelid
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where i.indrelid = to_regclass($1) and i.indisunique and i.indisvalid and i.indnkeyatts = 1
        and i.indpred is null and i.indexprs is null and a.attname = $2
      limit 1`,
    [table, test.column],
  );
  // A catalog that cannot be asked proves nothing: the test runs.
  return found.then(({ rows }) => rows[0]?.index, () => undefined);
}
