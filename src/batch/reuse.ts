/**
 * What the batch plan (src/plan/plan.ts) reads of the database, and the fingerprints a
 * published batch keeps for the next plan to compare against. Batches cost what changed: a
 * model whose SQL, build config and inputs are the same as in the published batch is
 * reused — the new batch points at the table the published batch already has (SQLMesh's
 * virtual layer). A reused table stays as long as a kept batch maps to it: the schema guard
 * of src/batch/schemas.ts never drops a schema any published, running or current batch uses.
 */
import type { CompiledProject } from '../compile/compile.ts';
import type { Engine, Queryable } from '../engine/engine.ts';
import type { Fingerprint, TestOutcome } from '../plan/fingerprint.ts';
import type { TestResult } from '../core/results.ts';
import { tablesRead, type DatabaseState } from '../plan/plan.ts';
import type { BatchPlan } from '../plan/types.ts';
import { testFingerprint, testKey } from '../plan/fingerprint.ts';
import { seedChecksums, SEED_LAYER } from '../seeds/load.ts';
import { batchRelations, currentBatchId } from './state.ts';

const STATE = `
create table if not exists strata.model_fingerprints (
  batch_id     text not null references strata.batches (batch_id) on delete cascade,
  model        text not null,
  fingerprint  text not null,
  primary key (batch_id, model)
)`;

async function ensureReuseState(db: Queryable): Promise<void> {
  await db.query(STATE);
}

export async function loadFingerprints(db: Queryable, batchId: string | null): Promise<Map<string, Fingerprint>> {
  if (!batchId) return new Map();
  const { rows } = await db.query<{ model: string; fingerprint: string }>('select model, fingerprint from strata.model_fingerprints where batch_id = $1', [batchId]);
  return new Map(rows.map((r) => [r.model, JSON.parse(r.fingerprint) as Fingerprint]));
}

/**
 * Everything the plan needs to know of the database: the published batch, its mapping and
 * fingerprints, the content versions of the tables the chosen models read, and (`build`)
 * each seed's checksum as its CSV stands now. Reads only (the fingerprint table is created
 * when missing).
 */
export async function readDatabaseState(
  engine: Engine,
  compiled: CompiledProject,
  o: { chosen: ReadonlySet<string>; command: 'build' | 'run' },
): Promise<DatabaseState> {
  await ensureReuseState(engine);
  const publishedBatch = await currentBatchId(engine);
  const relations = publishedBatch ? await batchRelations(engine, publishedBatch) : new Map();
  // `build` versions every seed per batch; `run` reads the published ones.
  const versioned = o.command === 'build' ? new Set(compiled.seeds.keys()) : new Set([...relations.values()].filter((r) => r.layer === SEED_LAYER).map((r) => r.model));
  // Side by side on the engine's connections: a batch with no change waits for the longest source scan, not their sum.
  const [fingerprints, versions, checksums] = await Promise.all([
    loadFingerprints(engine, publishedBatch),
    tableVersions(engine, tablesRead(compiled, o.chosen, versioned)),
    o.command === 'build' ? seedChecksums(engine, compiled.project) : new Map<string, string>(),
  ]);
  return { publishedBatch, relations, fingerprints, tableVersions: versions, seedChecksums: checksums };
}

/**
 * Keeps the batch's fingerprints — every model it publishes and its data tests, each test
 * with what it found (run now, or carried from the batch it was skipped on); only a
 * published batch's are ever compared against.
 */
export async function saveFingerprints(
  db: Queryable,
  plan: BatchPlan,
  tests: readonly { name: string; sql: string }[],
  results: readonly Pick<TestResult, 'test' | 'status' | 'failures' | 'auditRelation'>[],
): Promise<void> {
  const found = new Map(results.map((r) => [r.test, r]));
  const skipped = new Map(plan.tests.map((t) => [t.test, t.outcome]));
  const outcomeOf = (name: string): TestOutcome | undefined => {
    const r = found.get(name);
    if (!r) return skipped.get(name);
    // A published batch's tests passed or warned; a failed one publishes nothing.
    if (r.status !== 'pass' && r.status !== 'warn') return undefined;
    return { status: r.status, failures: r.failures, ...(r.auditRelation ? { auditRelation: r.auditRelation } : {}) };
  };
  const rows: [string, string][] = [
    ...plan.models.flatMap((m): [string, string][] => (m.fingerprint && m.publishes ? [[m.model, JSON.stringify(m.fingerprint)]] : [])),
    ...tests.map((t): [string, string] => [testKey(t.name), JSON.stringify(testFingerprint(t.sql, outcomeOf(t.name)))]),
  ];
  if (rows.length === 0) return;
  await db.query(
    `insert into strata.model_fingerprints (batch_id, model, fingerprint)
     select $1, m, f from unnest($2::text[], $3::text[]) as t(m, f)
     on conflict (batch_id, model) do update set fingerprint = excluded.fingerprint`,
    [plan.batchId, rows.map((r) => r[0]), rows.map((r) => r[1])],
  );
}

/**
 * The content version of each table: its oid, row count and the sum of its rows' xmin. An
 * insert, update or delete changes the sum (a new row version carries a new transaction
 * id), a reload or a new table changes the oid or the ids; VACUUM keeps them. A relation
 * that is not a table (a view) has no version, and what reads it is always rebuilt.
 */
export async function tableVersions(db: Queryable, relations: readonly string[]): Promise<Map<string, string>> {
  // One scan per table, all at once (each on its own connection where the engine has several).
  const versions = await Promise.all(relations.map(async (rel): Promise<[string, string] | null> => {
    const { rows: kind } = await db.query<{ oid: number; relkind: string }>(`select c.oid::int8 as oid, c.relkind::text as relkind from pg_class c where c.oid = to_regclass($1)`, [rel]);
    const k = kind[0];
    if (!k || !['r', 'p', 'm'].includes(k.relkind)) return null;
    const { rows } = await db.query<{ n: string; x: string }>(`select count(*)::text as n, coalesce(sum(xmin::text::int8), 0)::text as x from ${rel}`);
    return [rel, `${k.oid}:${rows[0]!.n}:${rows[0]!.x}`];
  }));
  return new Map(versions.filter((v) => v !== null));
}
