import { createHash } from 'node:crypto';
import type { Queryable } from '../engine/engine.ts';

/**
 * strata's own bookkeeping lives in schema `strata`: batches, which physical relation
 * each model and seed had in each batch, and the build lock.
 * Created under a transaction-scoped advisory lock, so concurrent first runs don't race
 * (and it works through a transaction-mode pooler).
 */
const BOOTSTRAP = `
select pg_advisory_xact_lock(7240117);
create schema if not exists strata;
create table if not exists strata.batches (
  batch_id          text primary key,
  command           text not null,
  status            text not null check (status in ('running', 'failed', 'published', 'rolled_back', 'expired')),
  started_at        timestamptz not null default now(),
  finished_at       timestamptz,
  published_at      timestamptz,
  error             text
);
create table if not exists strata.batch_relations (
  batch_id          text not null references strata.batches (batch_id) on delete cascade,
  model             text not null,
  layer             text not null,
  published_schema  text not null,
  physical_schema   text not null,
  kind              text not null,
  checksum          text not null,
  primary key (batch_id, model)
);
-- Every schema a batch created, recorded as it is created: cleanup drops only these, never
-- a schema that merely has a batch's name.
create table if not exists strata.batch_schemas (
  schema_name       text primary key,
  batch_id          text not null,
  created_at        timestamptz not null default now()
);
create table if not exists strata.current_batch (
  singleton         boolean primary key default true check (singleton),
  batch_id          text not null references strata.batches (batch_id),
  since             timestamptz not null default now()
);
create table if not exists strata.locks (
  name              text primary key,
  token             text not null,
  holder            text not null,
  host              text not null,
  pid               integer not null,
  batch_id          text,
  acquired_at       timestamptz not null default now(),
  heartbeat_at      timestamptz not null default now()
);
create table if not exists strata.run_counters (
  status            text primary key,
  runs              bigint not null default 0,
  models_failed     bigint not null default 0,
  tests_failed      bigint not null default 0,
  duration_seconds  double precision not null default 0
);
`;

/**
 * Names this bookkeeping schema: the embedded engine's spare database, which `npm install`
 * prepares with ensureState, is taken only by the code that prepared it.
 */
export const STATE_VERSION = createHash('sha256').update(BOOTSTRAP).digest('hex').slice(0, 12);

export async function ensureState(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }): Promise<void> {
  await db.transaction((tx) => tx.exec(BOOTSTRAP));
}

export interface BatchRelation {
  model: string;
  layer: string;
  publishedSchema: string;
  physicalSchema: string;
  kind: 'table' | 'view';
  checksum: string;
}

export async function currentBatchId(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ batch_id: string }>('select batch_id from strata.current_batch');
  return rows[0]?.batch_id ?? null;
}

export async function batchRelations(db: Queryable, batchId: string): Promise<Map<string, BatchRelation>> {
  const { rows } = await db.query<{
    model: string;
    layer: string;
    published_schema: string;
    physical_schema: string;
    kind: 'table' | 'view';
    checksum: string;
  }>('select * from strata.batch_relations where batch_id = $1', [batchId]);
  return new Map(
    rows.map((r) => [
      r.model,
      { model: r.model, layer: r.layer, publishedSchema: r.published_schema, physicalSchema: r.physical_schema, kind: r.kind, checksum: r.checksum },
    ]),
  );
}

export async function startBatch(db: Queryable, batchId: string, command: string): Promise<void> {
  const { rows } = await db.query('select 1 from strata.batches where batch_id = $1', [batchId]);
  if (rows.length > 0) throw new Error(`batch ${batchId} already exists; batch ids are never reused`);
  await db.query(`insert into strata.batches (batch_id, command, status) values ($1, $2, 'running')`, [batchId, command]);
}

export async function finishBatch(db: Queryable, batchId: string, status: 'failed' | 'published', error?: string): Promise<void> {
  await db.query(
    `update strata.batches set status = $2, finished_at = now(), error = $3,
       published_at = case when $2 = 'published' then now() else published_at end
     where batch_id = $1`,
    [batchId, status, error ?? null],
  );
}

export interface BatchInfo {
  batchId: string;
  command: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  publishedAt: Date | null;
  current: boolean;
}

export async function listBatches(db: Queryable): Promise<BatchInfo[]> {
  const { rows } = await db.query<{
    batch_id: string;
    command: string;
    status: string;
    started_at: Date;
    finished_at: Date | null;
    published_at: Date | null;
    current: boolean;
  }>(
    `select b.*, (c.batch_id is not null) as current
       from strata.batches b left join strata.current_batch c using (batch_id)
      order by b.started_at desc`,
  );
  return rows.map((r) => ({
    batchId: r.batch_id,
    command: r.command,
    status: r.status,
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    publishedAt: r.published_at ? new Date(r.published_at) : null,
    current: r.current,
  }));
}
