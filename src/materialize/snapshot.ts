/**
 * Snapshots: slowly changing dimension type 2, as dbt's `snapshot`. The history lives in
 * one append-only table per snapshot, `strata_snapshots.<model>`, outside the batch schemas,
 * so no batch copies the whole history: a batch appends only the versions that changed
 * (tagged with its batch id) and a tombstone for each key that disappeared. What the batch
 * publishes is a view over that table *as of the batch*: the rows of the batches published
 * before it and its own, with `valid_from` and `valid_to` (null for the current version).
 * Rows of a failed or crashed batch are never visible (the view filters on published
 * batches) and are deleted by the next snapshot build.
 */
import type { CompiledModel, SnapshotConfig } from '../compile/types.ts';
import { qualify, quoteIdent, sqlLiteral } from '../engine/quote.ts';
import type { Statement } from './statements.ts';

export const SNAPSHOT_SCHEMA = 'strata_snapshots';
/** The columns a snapshot adds to the model's: when each version was valid. */
export const SNAPSHOT_COLUMNS = ['valid_from', 'valid_to'];
/** Every name a snapshot's own SQL gives a column beside the model's (its history's and its merge's): a model may not produce one. */
export const SNAPSHOT_RESERVED = [...SNAPSHOT_COLUMNS, 'strata_batch_id', 'strata_deleted', 'strata_present'];

/** Batches whose snapshot rows a view of batch `id` may show: published ones before it, and itself. */
const visibleBatches = (id: string): string =>
  `(select b.batch_id from strata.batches b where b.batch_id = ${sqlLiteral(id)}
     or (b.status in ('published', 'rolled_back', 'expired')
         and b.started_at < (select started_at from strata.batches where batch_id = ${sqlLiteral(id)})))`;

/**
 * `sql`: the model's select with refs resolved; `columns`: its output columns (known at
 * compile time: a snapshot must name its columns, so the history keeps one shape).
 */
export function snapshotStatements(model: CompiledModel, target: { schema: string; name: string; batchId: string }, sql: string, columns: readonly string[]): Statement[] {
  const config = model.config.snapshot as SnapshotConfig;
  const history = qualify(SNAPSHOT_SCHEMA, model.name);
  const key = model.config.uniqueKey.map(quoteIdent);
  const cols = columns.filter((c) => !SNAPSHOT_COLUMNS.includes(c)).map(quoteIdent);
  const batch = sqlLiteral(target.batchId);
  const on = key.map((k) => `l.${k} = s.${k}`).join(' and ');
  const changed = config.strategy === 'timestamp'
    ? `s.${quoteIdent(config.updatedAt)} > l.${quoteIdent(config.updatedAt)}`
    : config.checkCols.map((c) => `s.${quoteIdent(c)} is distinct from l.${quoteIdent(c)}`).join(' or ');
  const validFrom = config.strategy === 'timestamp' ? `s.${quoteIdent(config.updatedAt)}::timestamptz` : 'now()';
  const rel = qualify(target.schema, target.name);
  return [
    { sql: `create schema if not exists ${quoteIdent(SNAPSHOT_SCHEMA)}` },
    {
      sql: `create table if not exists ${history} as
select ${cols.map((c) => `s.${c}`).join(', ')}, now() as valid_from, ${batch}::text as strata_batch_id, false as strata_deleted
from (${sql}) s limit 0`,
    },
    // A key's versions in order: what each batch's merge and every read of one key's history look up.
    { sql: `create index if not exists ${quoteIdent(`${model.name}_key_valid_from`.slice(0, 63))} on ${history} (${[...key, 'valid_from'].join(', ')})` },
    // Versions written by batches that never published (failed, or a crash) go.
    { sql: `delete from ${history} where strata_batch_id in (select batch_id from strata.batches where status in ('failed', 'running') and batch_id <> ${batch})` },
    {
      // One pass over the source and each key's latest version (a full join: the source is
      // read once and nothing is materialized twice): a source row whose key has no version,
      // a deleted one or a changed one becomes a new version; a version no source row has any
      // more gets a tombstone. `strata_present` marks the source's side (a key may be null).
      sql: `insert into ${history} (${cols.join(', ')}, valid_from, strata_batch_id, strata_deleted)
select ${cols.map((c) => `case when s.strata_present then s.${c} else l.${c} end`).join(', ')},
  case when s.strata_present then ${validFrom} else now() end, ${batch}, s.strata_present is null
from (select ${cols.map((c) => `q.${c}`).join(', ')}, true as strata_present from (${sql}) q) s
full join (
  select distinct on (${key.join(', ')}) *
  from ${history}
  where strata_batch_id in ${visibleBatches(target.batchId)} and strata_batch_id <> ${batch}
  order by ${key.join(', ')}, valid_from desc
) l on ${on}
where case when s.strata_present then l.${key[0]} is null or l.strata_deleted or ${changed} else not l.strata_deleted end`,
      merged: true,
    },
    {
      sql: `create view ${rel} as
select ${cols.join(', ')}, valid_from, valid_to
from (
  select h.*, lead(h.valid_from) over (partition by ${key.map((k) => `h.${k}`).join(', ')} order by h.valid_from) as valid_to
  from ${history} h
  where h.strata_batch_id in ${visibleBatches(target.batchId)}
) v
where not strata_deleted`,
    },
    { sql: `select count(*)::bigint as n from ${rel}`, rows: 'selected' },
  ];
}
