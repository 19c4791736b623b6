/**
 * A `unique` test decided by the database's catalog instead of a scan: when the relation the
 * test reads has a valid unique index on exactly that one column (no predicate, no
 * expression), PostgreSQL itself refuses a second row with the same non-null value, which is
 * all the test looks for (it ignores nulls, as dbt's does). A model's `indexes="unique:…"`
 * config makes such an index; at 1M reviews each such test was a sort or hash of the whole
 * table (0.5–1.4 s). Every other unique test (a view that does more than filter and project
 * one model, an index over more columns, a partial one) runs its query as before. A build
 * asks about the tables it reads; `strata test`, which reads the published views, about the
 * table each view is (publish makes a published view `select * from` its batch's table:
 * batch/publish.ts).
 *
 * A model whose SQL only filters and projects one model (sql/row-preserving.ts: a view such
 * as silver_reviews over review_checks) holds each of that model's rows at most once, so a
 * column it copies unchanged is unique wherever the copied column is: its test is proven by
 * that model's index, followed as far as such copies go. A build only: there the SQL analyzed
 * is the SQL built (a reused model's is the same, by its fingerprint), while `strata test`
 * reads a published batch that older SQL may have built.
 */
import type { CompiledProject } from '../compile/compile.ts';
import type { CompiledTest } from '../compile/types.ts';
import type { Queryable } from '../engine/engine.ts';

/** A model's column and the model column it copies row for row, undefined when it copies none. */
export type RowCopies = (model: string, column: string) => { model: string; column: string } | undefined;

/**
 * What each built model copies row for row: a view or table whose analysis found it only
 * filters and projects one model, and the column's lineage is that model's column unchanged
 * (a cast could make two values equal). Incremental models and snapshots hold rows across
 * batches, ephemerals are no relation: none copies.
 */
export function rowCopies(compiled: CompiledProject): RowCopies {
  return (model, column) => {
    const materialized = compiled.models.get(model)?.config.materialized;
    const analysis = compiled.analyses?.get(model);
    if ((materialized !== 'view' && materialized !== 'table') || !analysis?.preservesRows) return undefined;
    const lineage = analysis.columns?.find((c) => c.name === column)?.lineage;
    const source = lineage?.kind === 'copy' && !lineage.partial && lineage.sources.length === 1 ? lineage.sources[0]! : undefined;
    return source?.relation.kind === 'ref' ? { model: source.relation.name, column: source.column } : undefined;
  };
}

/** The name of a valid unique index on exactly `column` of `table` (no predicate, no expression). */
async function uniqueIndexOn(db: Queryable, table: string, column: string): Promise<string | undefined> {
  const found = db.query<{ index: string }>(
    `select x.relname as index
       from pg_index i
       join pg_class x on x.oid = i.indexrelid
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where i.indrelid = to_regclass($1) and i.indisunique and i.indisvalid and i.indnkeyatts = 1
        and i.indpred is null and i.indexprs is null and a.attname = $2
      limit 1`,
    [table, column],
  );
  // A catalog that cannot be asked proves nothing: the test runs.
  return found.then(({ rows }) => rows[0]?.index, () => undefined);
}

/**
 * The index that proves `test` (its name, and the copy it was reached through), or undefined
 * when the test must run. `tableOf` names the table a model's rows are in (schema-qualified
 * SQL), undefined when unknown; `copies` follows columns copied row for row.
 */
export async function uniqueIndexProof(db: Queryable, test: CompiledTest, tableOf: (model: string) => string | undefined, copies?: RowCopies): Promise<string | undefined> {
  if (test.kind !== 'unique' || !test.column || !test.model || test.refs.length !== 1 || test.refs[0] !== test.model) return undefined;
  // Models form a DAG: each copy leads further upstream, so this ends.
  for (let at: { model: string; column: string } | undefined = { model: test.model, column: test.column }; at; at = copies?.(at.model, at.column)) {
    const table = tableOf(at.model);
    const index = table && (await uniqueIndexOn(db, table, at.column));
    if (index) return at.model === test.model ? index : `${index} (${test.model}.${test.column} copies ${at.model}.${at.column} row for row)`;
  }
  return undefined;
}
