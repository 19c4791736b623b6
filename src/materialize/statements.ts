import type { CompiledModel } from '../compile/types.ts';
import { quoteIdent, qualify, sqlLiteral } from '../engine/quote.ts';
import { snapshotStatements } from './snapshot.ts';

/** One SQL statement of a model's build, with what its row count means. */
export interface Statement {
  sql: string;
  /** Where the model's row count comes from: the rows this statement wrote, or the `n` it selects. */
  rows?: 'written' | 'selected';
  /** The rows this statement wrote are the rows an incremental merge touched. */
  merged?: boolean;
  /** The rows this statement deleted are rows whose key left the model's `keys_from`. */
  deleted?: boolean;
}

export interface BuildTarget {
  schema: string;
  name: string;
  /** The relation this model had in the published batch, for incremental merges. */
  previous?: string;
  /** The relation of the model's `keys_from` in this batch: delete detection after a merge. */
  keysFrom?: string;
  /** The batch being built (snapshots tag the versions they append with it). */
  batchId?: string;
  /** The model's output columns, when known (snapshots need them). */
  columns?: readonly string[];
}

/** The model's own session settings (`settings=` in its config) as `set local` statements: they end with its transaction. */
export function sessionSettings(model: CompiledModel): string[] {
  return (model.config.settings ?? []).map((s) => `set local ${s.name} = ${sqlLiteral(s.value)}`);
}

/** Everything after the data is in place: indexes from config, then fresh statistics. */
function finishTable(model: CompiledModel, rel: string): Statement[] {
  return [
    ...model.config.indexes.map((ix) => ({
      sql: `create ${ix.unique ? 'unique ' : ''}index on ${rel} (${ix.columns.map(quoteIdent).join(', ')})`,
    })),
    { sql: `analyze ${rel}` },
  ];
}

/**
 * The statements that build one model in a fresh (staging) schema. They run in one
 * transaction; nothing outside the staging schema is touched, so a failure leaves the
 * published relation exactly as it was.
 *
 * `sql` is the model's select with refs resolved; `incrementalSql` the same rendered with
 * `is_incremental` true and `this` pointing at `target.previous`.
 */
export function buildStatements(
  model: CompiledModel,
  target: BuildTarget,
  sql: string,
  incrementalSql?: string,
): Statement[] {
  const rel = qualify(target.schema, target.name);
  switch (model.config.materialized) {
    case 'ephemeral':
      return [];
    case 'snapshot':
      return snapshotStatements(model, { schema: target.schema, name: target.name, batchId: target.batchId! }, sql, target.columns ?? []);
    case 'view':
      return [{ sql: `create view ${rel} as\n${sql}` }];
    case 'table':
      return [{ sql: `create table ${rel} as\n${sql}`, rows: 'written' }, ...finishTable(model, rel)];
    case 'incremental': {
      if (!target.previous || incrementalSql === undefined) {
        return [{ sql: `create table ${rel} as\n${sql}`, rows: 'written' }, ...finishTable(model, rel)];
      }
      // The new version in one pass over the previous one: its rows that no changed row
      // replaces, then the changed rows; the published table is never written, so readers
      // and rollback keep their batch. Deletes and invalidations flow through: a row whose
      // key its keys_from no longer has (deleted at the source, or rejected upstream now)
      // stays out, like in a full build.
      const delta = qualify(target.schema, `${target.name}__strata_delta`);
      const gone = qualify(target.schema, `${target.name}__strata_gone`);
      const key = model.config.uniqueKey.map(quoteIdent);
      const same = (a: string, b: string): string => key.map((k) => `${a}.${k} = ${b}.${k}`).join(' and ');
      const left = (alias: string): string => `not exists (select from ${target.keysFrom} as k where ${same('k', alias)})`;
      return [
        { sql: `create table ${delta} as\n${incrementalSql}`, merged: true },
        ...(target.keysFrom
          ? [{
              sql: `create table ${gone} as
select ${key.map((k) => `t.${k}`).join(', ')} from ${target.previous} as t where ${left('t')}
union
select ${key.map((k) => `d.${k}`).join(', ')} from ${delta} as d where ${left('d')}`,
              deleted: true,
            }]
          : []),
        {
          sql: `create table ${rel} as
select * from ${target.previous} as t
where not exists (select from ${delta} as d where ${same('d', 't')})${target.keysFrom ? ` and not exists (select from ${gone} as g where ${same('g', 't')})` : ''}
union all
select * from ${delta} as d${target.keysFrom ? ` where not exists (select from ${gone} as g where ${same('g', 'd')})` : ''}`,
          rows: 'written',
        },
        { sql: `drop table ${delta}` },
        ...(target.keysFrom ? [{ sql: `drop table ${gone}` }] : []),
        ...finishTable(model, rel),
      ];
    }
  }
}
