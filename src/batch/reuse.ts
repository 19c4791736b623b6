/**
 * Batches that cost what changed. A model whose rendered SQL, build config and inputs are
 * the same as in the published batch is *reused*: the new batch points at the table the
 * published batch already has, instead of building it again (SQLMesh's virtual layer).
 *
 * A model's fingerprint is its SQL checksum, its build config, and the version of each
 * input: for a model it reads, the physical relation that model has in the new batch (the
 * same one when it is reused, a new one when it is rebuilt); for a source or seed table,
 * its content version — (oid, rows, sum of xmin): any insert, update, delete, truncate or
 * reload changes it, and reading it scans no column data. The fingerprints of a published
 * batch are kept in strata.model_fingerprints; the plan compares against those.
 *
 * The plan is data (`planReuse` is pure): `build --dry-run` prints it, the build follows it.
 * A reused table stays as long as a kept batch maps to it: the schema guard of
 * src/batch/schemas.ts never drops a schema any published, running or current batch uses.
 */
import { createHash } from 'node:crypto';
import type { CompiledProject } from '../compile/compile.ts';
import type { Queryable } from '../engine/engine.ts';
import { qualify } from '../engine/quote.ts';
import type { BatchRelation } from './state.ts';

export type ReuseAction = 'reuse' | 'merge' | 'rebuild';

export interface Fingerprint {
  sql: string;
  config: string;
  /** Input name (model, seed, or `source.table`) → its version. */
  inputs: Record<string, string>;
}

export interface ReuseDecision {
  model: string;
  action: ReuseAction;
  /** Why, in words: what changed, or since which batch it is unchanged. */
  reason: string;
  fingerprint: Fingerprint;
  /** For `reuse`: the published relation the new batch points at. */
  from?: BatchRelation;
}

export interface ReusePlanInput {
  compiled: CompiledProject;
  chosen: ReadonlySet<string>;
  /** The published batch's mapping and its id. */
  current: ReadonlyMap<string, BatchRelation>;
  currentId: string | null;
  /** The published batch's fingerprints. */
  previous: ReadonlyMap<string, Fingerprint>;
  /** Content versions of the source and seed tables the chosen models read, by relation. */
  tableVersions: ReadonlyMap<string, string>;
  fullRefresh: boolean;
  /** Where a rebuilt model's table goes: its physical schema in the new batch. */
  newSchemaOf: (model: string) => string;
  /** Seeds versioned per batch: the relation each seed has in the new batch (a reloaded seed has a new one). */
  seeds?: ReadonlyMap<string, BatchRelation>;
}

/** Config keys that change what is built; descriptions, tags and docs do not. */
const IGNORED_CONFIG = new Set(['description', 'tags', 'meta', 'docs', 'columns', 'export']);

const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

function configKey(config: Record<string, unknown>): string {
  const kept = Object.keys(config).filter((k) => !IGNORED_CONFIG.has(k) && config[k] !== undefined).sort();
  return hash(JSON.stringify(kept.map((k) => [k, config[k]])));
}

/** The relation a source table is read from. */
export function sourceRelation(compiled: CompiledProject, source: string, table: string): string {
  const s = compiled.project.config.sources.find((x) => x.name === source);
  return qualify(s?.schema ?? source, table);
}

/** The source and seed tables the chosen models (and the ephemerals they inline) read. */
export function tablesRead(compiled: CompiledProject, chosen: ReadonlySet<string>, versionedSeeds: ReadonlySet<string> = new Set()): string[] {
  const out = new Set<string>();
  for (const name of compiled.order) {
    const m = compiled.models.get(name);
    if (!m || !(chosen.has(name) || m.config.materialized === 'ephemeral')) continue;
    for (const s of m.sources) out.add(sourceRelation(compiled, s.source, s.table));
    for (const r of m.refs) if (compiled.seeds.has(r) && !versionedSeeds.has(r)) out.add(qualify(compiled.seeds.get(r)!.schema, r));
  }
  return [...out].sort();
}

/** The inputs whose version differs between two fingerprints, sorted. */
function changedInputs(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)]);
  return [...names].filter((n) => before.inputs[n] !== after.inputs[n]).sort();
}

/**
 * The changed inputs that may have changed every row, not just some: a seed (lookup data
 * every row may read), and a model rebuilt in full for a reason of its own (its SQL or
 * config changed, it is new, --full-refresh) or because one of its inputs did so. A source
 * table whose rows changed is not one: its changed rows carry a new updated_at, which is
 * what an incremental model selects on. An incremental model merges only when none of its
 * changed inputs changed wholesale; otherwise a merge would keep rows computed from the old input.
 */
export function wholesaleInputs(changed: readonly string[], isSeed: (name: string) => boolean, wholesale: ReadonlySet<string>): string[] {
  return changed.filter((n) => isSeed(n) || wholesale.has(n));
}

function describeChange(before: Fingerprint, after: Fingerprint, decided: ReadonlyMap<string, ReuseDecision>): string {
  if (before.sql !== after.sql) return 'its SQL changed (the model, a macro or a var it reads)';
  if (before.config !== after.config) return 'its build config changed';
  const changed = changedInputs(before, after);
  const what = changed.map((n) => {
    if (!(n in before.inputs)) return `${n} (new input)`;
    if (!(n in after.inputs)) return `${n} (no longer read)`;
    if (n.includes('.')) return `${n} (content changed)`;
    const d = decided.get(n);
    return `${n} (${d?.action === 'merge' ? 'merged' : d ? 'rebuilt' : 'reloaded'})`;
  });
  return `input${changed.length > 1 ? 's' : ''} changed: ${what.join(', ')}`;
}

/**
 * What the new batch does with each chosen model, in DAG order: reuse the published table,
 * merge into a copy of it (incremental models whose inputs changed), or rebuild it.
 */
export function planReuse(o: ReusePlanInput): Map<string, ReuseDecision> {
  const { compiled } = o;
  const decisions = new Map<string, ReuseDecision>();
  // The version of every model as a dependent sees it: the physical relation it resolves to.
  const versions = new Map<string, string>();
  const versionOf = (ref: string): string => {
    const seed = o.seeds?.get(ref);
    if (seed) return `${seed.physicalSchema}.${ref}`;
    if (compiled.seeds.has(ref)) return o.tableVersions.get(qualify(compiled.seeds.get(ref)!.schema, ref)) ?? 'unknown';
    const known = versions.get(ref);
    if (known) return known;
    // A model outside the selection keeps its published relation.
    const cur = o.current.get(ref);
    return cur ? `${cur.physicalSchema}.${ref}` : 'absent';
  };
  // Models (and ephemerals) whose every row may have changed: see wholesaleInputs.
  const wholesale = new Set<string>();
  const isSeed = (n: string): boolean => compiled.seeds.has(n);
  for (const name of compiled.order) {
    const m = compiled.models.get(name);
    if (!m) continue;
    const ephemeral = m.config.materialized === 'ephemeral';
    if (!o.chosen.has(name) && !ephemeral) continue;
    const inputs: Record<string, string> = {};
    for (const r of m.refs) inputs[r] = versionOf(r);
    for (const s of m.sources) {
      const rel = sourceRelation(compiled, s.source, s.table);
      inputs[`${s.source}.${s.table}`] = o.tableVersions.get(rel) ?? 'unknown';
    }
    const fingerprint: Fingerprint = { sql: m.checksum, config: configKey(m.config as unknown as Record<string, unknown>), inputs };
    if (ephemeral) {
      // Inlined into its readers: they see its fingerprint as their input's version.
      versions.set(name, `ephemeral:${hash(JSON.stringify(fingerprint))}`);
      const before = o.previous.get(name);
      if (o.fullRefresh || !before || before.sql !== fingerprint.sql || before.config !== fingerprint.config
        || wholesaleInputs(changedInputs(before, fingerprint), isSeed, wholesale).length > 0) wholesale.add(name);
      continue;
    }
    const prev = o.current.get(name);
    const before = o.previous.get(name);
    const kind = m.config.materialized === 'view' ? 'view' : 'table';
    let decision: ReuseDecision;
    const rebuild = (reason: string): ReuseDecision => ({ model: name, action: 'rebuild', reason, fingerprint });
    // Rebuilt for a reason of its own: every row may differ from the published table's.
    const ownReason = (reason: string): ReuseDecision => (wholesale.add(name), rebuild(reason));
    if (o.fullRefresh) decision = ownReason('--full-refresh');
    else if (!prev) decision = ownReason('new: not in the published batch');
    else if (!before) decision = ownReason(`the published batch ${o.currentId} has no fingerprint for it`);
    else if (prev.kind !== kind) decision = ownReason(`its materialization changed (${prev.kind} → ${kind})`);
    else if (Object.values(inputs).some((v) => v === 'unknown')) decision = ownReason('an input table has no content version (not a table)');
    else if (JSON.stringify(before) === JSON.stringify(fingerprint)) {
      decision = { model: name, action: 'reuse', reason: `unchanged since batch ${o.currentId}`, fingerprint, from: prev };
    } else if (before.sql !== fingerprint.sql || before.config !== fingerprint.config) {
      decision = ownReason(describeChange(before, fingerprint, decisions));
    } else {
      const reason = describeChange(before, fingerprint, decisions);
      const inFull = wholesaleInputs(changedInputs(before, fingerprint), isSeed, wholesale);
      if (inFull.length > 0) wholesale.add(name);
      if (m.config.materialized !== 'incremental') decision = rebuild(reason);
      else if (inFull.length === 0) decision = { model: name, action: 'merge', reason, fingerprint };
      else decision = rebuild(`${reason}; in full: ${inFull.join(', ')} may have changed every row`);
    }
    decisions.set(name, decision);
    versions.set(name, decision.action === 'reuse' ? `${decision.from!.physicalSchema}.${name}` : `${o.newSchemaOf(name)}.${name}`);
  }
  return decisions;
}

const STATE = `
create table if not exists strata.model_fingerprints (
  batch_id     text not null references strata.batches (batch_id) on delete cascade,
  model        text not null,
  fingerprint  text not null,
  primary key (batch_id, model)
)`;

export async function ensureReuseState(db: Queryable): Promise<void> {
  await db.query(STATE);
}

export async function loadFingerprints(db: Queryable, batchId: string | null): Promise<Map<string, Fingerprint>> {
  if (!batchId) return new Map();
  const { rows } = await db.query<{ model: string; fingerprint: string }>('select model, fingerprint from strata.model_fingerprints where batch_id = $1', [batchId]);
  return new Map(rows.map((r) => [r.model, JSON.parse(r.fingerprint) as Fingerprint]));
}

const testKey = (name: string): string => `test:${name}`;

/**
 * Which data tests a batch runs. A test is not run again when every model it reads is
 * reused, it has the same SQL as in the published batch, and it is of error severity:
 * the published batch passed it on the very same tables. Warn-severity tests always run,
 * so their warnings are never hidden.
 */
export function testsToRun<T extends { name: string; sql: string; refs: string[]; severity: string }>(
  tests: readonly T[],
  decisions: ReadonlyMap<string, ReuseDecision>,
  previous: ReadonlyMap<string, Fingerprint>,
): { run: T[]; passedBefore: T[] } {
  const run: T[] = [];
  const passedBefore: T[] = [];
  for (const t of tests) {
    const reads = t.refs.filter((r) => decisions.has(r));
    const same = previous.get(testKey(t.name))?.sql === hash(t.sql);
    if (t.severity === 'error' && same && reads.length > 0 && reads.every((r) => decisions.get(r)!.action === 'reuse')) passedBefore.push(t);
    else run.push(t);
  }
  return { run, passedBefore };
}

const unitKey = (name: string): string => `unit:${name}`;

/**
 * What a unit test's outcome depends on: its own declaration (given rows, expected rows,
 * vars), the SQL of every model (its model's, and its inputs', whose columns type the
 * fixtures) and the declared sources. Unit tests run on a throw-away database, so nothing
 * else reaches them.
 */
export function unitTestFingerprint(compiled: CompiledProject, spec: { name: string; model: string; given: unknown; expect: unknown; vars: unknown }): string {
  const models = [...compiled.models.values()].map((m) => [m.name, m.checksum]).sort();
  return hash(JSON.stringify([spec.model, spec.given, spec.expect, spec.vars, models, compiled.project.config.sources]));
}

/**
 * Which unit tests a build runs: one whose fingerprint is the one the published batch
 * passed with (its model and every input unchanged) is not run again.
 */
export function unitTestsToRun<T extends { name: string }>(specs: readonly T[], fingerprintOf: (spec: T) => string, previous: ReadonlyMap<string, Fingerprint>): T[] {
  return specs.filter((s) => previous.get(unitKey(s.name))?.sql !== fingerprintOf(s));
}

/** Keeps the batch's fingerprints (models, data tests, unit tests); only a published batch's are ever compared against. */
export async function saveFingerprints(
  db: Queryable,
  batchId: string,
  decisions: ReadonlyMap<string, ReuseDecision>,
  tests: readonly { name: string; sql: string }[] = [],
  unitTests: readonly { name: string; fingerprint: string }[] = [],
): Promise<void> {
  const rows: [string, string][] = [
    ...[...decisions.values()].map((d): [string, string] => [d.model, JSON.stringify(d.fingerprint)]),
    ...tests.map((t): [string, string] => [testKey(t.name), JSON.stringify({ sql: hash(t.sql), config: '', inputs: {} } satisfies Fingerprint)]),
    ...unitTests.map((u): [string, string] => [unitKey(u.name), JSON.stringify({ sql: u.fingerprint, config: '', inputs: {} } satisfies Fingerprint)]),
  ];
  if (rows.length === 0) return;
  await db.query(
    `insert into strata.model_fingerprints (batch_id, model, fingerprint)
     select $1, m, f from unnest($2::text[], $3::text[]) as t(m, f)
     on conflict (batch_id, model) do update set fingerprint = excluded.fingerprint`,
    [batchId, rows.map((r) => r[0]), rows.map((r) => r[1])],
  );
}

/**
 * The content version of each table: its oid, row count and the sum of its rows' xmin. An
 * insert, update or delete changes the sum (a new row version carries a new transaction
 * id), a reload or a new table changes the oid or the ids; VACUUM keeps them. A relation
 * that is not a table (a view) has no version, and what reads it is always rebuilt.
 */
export async function tableVersions(db: Queryable, relations: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of relations) {
    const { rows: kind } = await db.query<{ oid: number; relkind: string }>(`select c.oid::int8 as oid, c.relkind::text as relkind from pg_class c where c.oid = to_regclass($1)`, [rel]);
    const k = kind[0];
    if (!k || !['r', 'p', 'm'].includes(k.relkind)) continue;
    const { rows } = await db.query<{ n: string; x: string }>(`select count(*)::text as n, coalesce(sum(xmin::text::int8), 0)::text as x from ${rel}`);
    out.set(rel, `${k.oid}:${rows[0]!.n}:${rows[0]!.x}`);
  }
  return out;
}

/** Reads what the plan needs from the database and plans the batch; `previous` also holds the published batch's test fingerprints. */
export async function planBatch(
  db: Queryable,
  o: Omit<ReusePlanInput, 'previous' | 'tableVersions'>,
): Promise<{ models: Map<string, ReuseDecision>; previous: Map<string, Fingerprint> }> {
  await ensureReuseState(db);
  const previous = await loadFingerprints(db, o.currentId);
  const versions = await tableVersions(db, tablesRead(o.compiled, o.chosen, new Set(o.seeds?.keys() ?? [])));
  return { models: planReuse({ ...o, previous, tableVersions: versions }), previous };
}
