/**
 * One pure function from the compiled project, the selection, what the database holds (the
 * published batch: its relations, fingerprints, and the content versions of the tables the
 * models read) and the flags to the batch plan: per seed, model and data test, the action,
 * its statements and why. Each materialization's strategy (strategies/) owns its decision
 * and its SQL; nothing here touches a database, and the runner decides nothing.
 */
import { physicalSchema } from '../batch/naming.ts';
import type { BatchRelation } from '../batch/state.ts';
import type { CompiledProject } from '../compile/compile.ts';
import { resolvePlaceholders } from '../compile/placeholders.ts';
import { publishedRelation } from '../compile/relations.ts';
import type { CompiledModel, CompiledTest } from '../compile/types.ts';
import { qualify } from '../engine/quote.ts';
import { inlineEphemerals } from '../materialize/ephemeral.ts';
import { sessionSettings } from '../materialize/statements.ts';
import { modelContract } from '../checks/contract.ts';
import type { Materialization } from '../project/types.ts';
import { SEED_LAYER } from '../seeds/load.ts';
import { configKey, describeChange, hash, sameFingerprint, testKey, type Fingerprint } from './fingerprint.ts';
import { ephemeralStrategy } from './strategies/ephemeral.ts';
import { incrementalStrategy } from './strategies/incremental.ts';
import { snapshotStrategy } from './strategies/snapshot.ts';
import type { Change, Strategy } from './strategies/strategy.ts';
import { tableStrategy } from './strategies/table.ts';
import { viewStrategy } from './strategies/view.ts';
import { PLAN_VERSION, type BatchPlan, type ModelPlan, type SeedPlan, type TestPlan } from './types.ts';

export const STRATEGIES: Record<Materialization, Strategy> = {
  view: viewStrategy,
  table: tableStrategy,
  incremental: incrementalStrategy,
  ephemeral: ephemeralStrategy,
  snapshot: snapshotStrategy,
};

/** What the plan needs to know of the database (src/batch/reuse.ts reads it). */
export interface DatabaseState {
  /** The published batch, null on a fresh database. */
  publishedBatch: string | null;
  /** Its mapping: the physical relation of each model and seed. */
  relations: ReadonlyMap<string, BatchRelation>;
  /** Its fingerprints: models by name, data tests under `test:<name>`. */
  fingerprints: ReadonlyMap<string, Fingerprint>;
  /** Content versions of the source (and unversioned seed) tables the chosen models read, by relation. */
  tableVersions: ReadonlyMap<string, string>;
  /** Each seed's checksum as its CSV stands now (file, resolved column types, key); `build` only. */
  seedChecksums: ReadonlyMap<string, string>;
}

export interface PlanInput {
  compiled: CompiledProject;
  batchId: string;
  /** `build` loads changed seeds, runs unit and data tests; `run` builds models only. */
  command: 'build' | 'run';
  chosen: ReadonlySet<string>;
  /** The data tests of the chosen models (`build`). */
  tests: readonly CompiledTest[];
  fullRefresh: boolean;
  db: DatabaseState;
}

/** How a model is published in a batch: views (and a snapshot's view of its history) or tables. */
export const relationKind = (m: Materialization): BatchRelation['kind'] => (m === 'view' || m === 'snapshot' ? 'view' : 'table');

export function planBatch(input: PlanInput): BatchPlan {
  const { compiled, batchId, chosen, db } = input;
  const layerSchema = new Map(compiled.project.config.layers.map((l) => [l.name, l.schema]));
  const seeds = planSeeds({ ...input, seeds: compiled.seeds.values() });
  const seedPlans = new Map(seeds.map((s) => [s.seed, s]));
  const planned = new Map<string, ModelPlan>();
  const refs: Record<string, string> = {};
  for (const s of seeds) refs[s.seed] = qualify(s.publishes.physicalSchema, s.seed);
  const refTo = (name: string): string => refs[name] ?? publishedRelation(compiled, name);
  const resolve = (sql: string, self: string): string => resolvePlaceholders(inlineEphemerals(compiled, sql), { ref: refTo, this: () => self });

  // The version of each ref as a reader sees it: the physical relation it resolves to in this
  // batch (a seed not versioned per batch: its table's content version).
  const versions = new Map<string, string>();
  const versionOf = (ref: string): string => {
    const seed = seedPlans.get(ref);
    if (seed) return `${seed.publishes.physicalSchema}.${ref}`;
    const node = compiled.seeds.get(ref);
    if (node) return db.tableVersions.get(qualify(node.schema, ref)) ?? 'unknown';
    return versions.get(ref) ?? 'absent';
  };
  const fingerprintOf = (m: CompiledModel): Fingerprint => {
    const inputs: Record<string, string> = {};
    for (const r of m.refs) inputs[r] = versionOf(r);
    for (const s of m.sources) inputs[`${s.source}.${s.table}`] = db.tableVersions.get(sourceRelation(compiled, s.source, s.table)) ?? 'unknown';
    const contract = modelContract(m.name, compiled.project.docs.get(m.name), []);
    return { sql: m.checksum, config: configKey(m.config), inputs, ...(contract ? { contract: hash(JSON.stringify(contract)) } : {}) };
  };
  // Models (and ephemerals) whose every row may differ from the published batch's: see changedInFull.
  const wholesale = new Set<string>();
  const builtAs = (n: string): string | undefined => {
    const p = planned.get(n);
    return p?.action === 'merge' ? 'merged' : p && p.statements.length > 0 ? 'rebuilt' : undefined;
  };

  for (const name of compiled.order) {
    const model = compiled.models.get(name);
    if (!model) continue;
    const { materialized } = model.config;
    const selected = chosen.has(name);
    const schema = layerSchema.get(model.layer)!;
    const base = { model: name, materialized, relation: materialized === 'ephemeral' ? `(ephemeral) ${name}` : `${schema}.${name}`, selected };
    const plan = (p: ModelPlan): void => {
      planned.set(name, p);
      if (p.publishes) {
        refs[name] = qualify(p.publishes.physicalSchema, name);
        versions.set(name, `${p.publishes.physicalSchema}.${name}`);
      }
    };
    if (materialized === 'ephemeral') {
      // Inlined into its readers: they see its SQL checksum and fingerprint as their input's version.
      const fp = fingerprintOf(model);
      versions.set(name, `ephemeral:${fp.sql}:${hash(JSON.stringify(fp))}`);
      if (Object.keys(fp.inputs).some((n) => wholesale.has(n) || seedPlans.get(n)?.action === 'load')) wholesale.add(name);
      plan({ ...base, ...ephemeralStrategy() });
      continue;
    }
    const previous = db.relations.get(name);
    if (!selected) {
      const before = db.fingerprints.get(name);
      plan(previous
        ? { ...base, action: 'reuse', reason: 'not selected: the published relation is carried into the batch', statements: [], publishes: previous, ...(before ? { fingerprint: before } : {}) }
        : { ...base, action: 'skip', reason: 'not selected, and not built before', statements: [] });
      continue;
    }
    const fingerprint = fingerprintOf(model);
    const change = changeOf(input, model, previous, fingerprint, builtAs, (n, before, after) => changedInFull(n, before, after, { wholesale, isSeed: (x) => compiled.seeds.has(x) }));
    if (change.kind === 'new' || change.kind === 'full-refresh' || change.kind === 'definition' || (change.kind === 'inputs' && change.inFull.length > 0)) wholesale.add(name);
    const target = { schema: physicalSchema(schema, batchId), name, batchId, relation: qualify(physicalSchema(schema, batchId), name) };
    const decision = STRATEGIES[materialized]({
      model,
      target,
      previous,
      change,
      sql: resolve(model.sql, target.relation),
      incrementalSql: (prev) => {
        const again = model.usesIsIncremental
          ? compiled.renderer.render(compiled.templates.get(name)!, model.relPath, { isIncremental: true, batchId, schema }).sql
          : model.sql;
        return resolve(again.trim(), prev);
      },
      ...(model.config.keysFrom ? { keysFrom: refTo(model.config.keysFrom) } : {}),
      columns: compiled.analyses?.get(name)?.columns?.map((c) => c.name),
    });
    // A reused table was checked against this very contract when it was published: not again.
    const contractKept = decision.action === 'reuse' && fingerprint.contract !== undefined && db.fingerprints.get(name)?.contract === fingerprint.contract;
    const publishes: BatchRelation = change.kind === 'unchanged' && decision.action === 'reuse'
      ? { ...change.from, checksum: model.checksum }
      : { model: name, layer: model.layer, publishedSchema: schema, physicalSchema: target.schema, kind: relationKind(materialized), checksum: model.checksum };
    const settings = decision.statements.length > 0 ? sessionSettings(model).map((sql) => ({ sql })) : [];
    plan({ ...base, ...decision, statements: [...settings, ...decision.statements], publishes, fingerprint, ...(contractKept ? { contractKept } : {}) });
  }

  return {
    version: PLAN_VERSION,
    batchId,
    command: input.command,
    fromBatch: db.publishedBatch,
    fullRefresh: input.fullRefresh,
    unitTests: input.command === 'build' ? compiled.project.unitTests.filter((u) => chosen.has(u.model)).map((u) => u.name) : [],
    seeds,
    models: [...planned.values()],
    tests: planTests(input, planned, seedPlans),
    refs: Object.fromEntries([...compiled.models.keys(), ...compiled.seeds.keys()].filter((n) => compiled.models.get(n)?.config.materialized !== 'ephemeral').map((n) => [n, refTo(n)])),
  };
}

/**
 * Whether a changed input may have changed every row, not just some: a seed (lookup data
 * any row may read), an ephemeral whose SQL changed, and a model built in full for a reason
 * of its own (new, --full-refresh, its SQL or config changed) or from such an input. A
 * source table whose rows changed is not: its changed rows carry a new updated_at, which is
 * what an incremental model selects on. An incremental model merges only when no changed
 * input changed in full; a merge would otherwise keep rows computed from the old input.
 */
export function changedInFull(input: string, before: Fingerprint, after: Fingerprint, o: { wholesale: ReadonlySet<string>; isSeed: (name: string) => boolean }): boolean {
  if (o.isSeed(input)) return true;
  const now = after.inputs[input] ?? '';
  if (now.startsWith('ephemeral:')) return o.wholesale.has(input) || (before.inputs[input] ?? '').split(':')[1] !== now.split(':')[1];
  return o.wholesale.has(input);
}

/** How a chosen model stands against the published batch. */
function changeOf(
  input: PlanInput,
  model: CompiledModel,
  previous: BatchRelation | undefined,
  fingerprint: Fingerprint,
  builtAs: (n: string) => string | undefined,
  inFull: (n: string, before: Fingerprint, after: Fingerprint) => boolean,
): Change {
  const { db } = input;
  if (input.fullRefresh) return { kind: 'full-refresh' };
  if (!previous) return { kind: 'new' };
  const before = db.fingerprints.get(model.name);
  if (!before) return { kind: 'definition', reason: `the published batch ${db.publishedBatch} has no fingerprint for it` };
  const kind = relationKind(model.config.materialized);
  if (previous.kind !== kind) return { kind: 'definition', reason: `its materialization changed (${previous.kind} → ${kind})` };
  if (Object.values(fingerprint.inputs).includes('unknown')) return { kind: 'definition', reason: 'an input table has no content version (not a table)' };
  if (sameFingerprint(before, fingerprint)) return { kind: 'unchanged', since: db.publishedBatch!, from: previous };
  const reason = describeChange(before, fingerprint, builtAs);
  if (before.sql !== fingerprint.sql || before.config !== fingerprint.config) return { kind: 'definition', reason };
  const changed = [...new Set([...Object.keys(before.inputs), ...Object.keys(fingerprint.inputs)])].filter((n) => before.inputs[n] !== fingerprint.inputs[n]).sort();
  return { kind: 'inputs', reason, inFull: changed.filter((n) => inFull(n, before, fingerprint)) };
}

/** `build` loads each seed whose CSV (or column types, or key) changed into the batch; `run` reads the published ones. */
export function planSeeds({ seeds, batchId, command, fullRefresh, db }: {
  seeds: Iterable<{ name: string; schema: string }>;
  batchId: string;
  command: 'build' | 'run';
  fullRefresh: boolean;
  db: Pick<DatabaseState, 'publishedBatch' | 'relations' | 'seedChecksums'>;
}): SeedPlan[] {
  const published = (name: string): BatchRelation | undefined => {
    const r = db.relations.get(name);
    return r?.layer === SEED_LAYER ? r : undefined;
  };
  if (command === 'run') {
    return [...seeds].flatMap(({ name }) => {
      const r = published(name);
      return r ? [{ seed: name, action: 'keep' as const, reason: '`run` reads the published seeds', publishes: r }] : [];
    });
  }
  return [...seeds].map(({ name, schema }): SeedPlan => {
    const checksum = db.seedChecksums.get(name) ?? '';
    const prev = published(name);
    if (!fullRefresh && prev && prev.checksum === checksum && prev.publishedSchema === schema) {
      return { seed: name, action: 'keep', reason: `unchanged since batch ${db.publishedBatch}`, publishes: prev };
    }
    const reason = fullRefresh ? '--full-refresh' : prev ? 'its CSV, column types, key or schema changed' : 'first load';
    return { seed: name, action: 'load', reason, publishes: { model: name, layer: SEED_LAYER, publishedSchema: schema, physicalSchema: physicalSchema(schema, batchId), kind: 'table', checksum } };
  });
}

/**
 * A data test is not run again when it has the same SQL as in the published batch and every
 * relation it reads is the published batch's own (reused or carried over, seeds kept): the
 * published batch ran it on the very same tables, and a query over the same rows finds the
 * same rows. Its outcome there is kept with its fingerprint: a warn-severity test that warned
 * is reported again from that record (same failing rows, same audit table), so a warning is
 * never hidden by not running the query.
 */
function planTests({ tests, db }: PlanInput, models: ReadonlyMap<string, ModelPlan>, seeds: ReadonlyMap<string, SeedPlan>): TestPlan[] {
  const same = (r: string): boolean => (models.get(r)?.action ?? (seeds.get(r)?.action === 'keep' ? 'reuse' : 'changed')) === 'reuse';
  return tests.map((t): TestPlan => {
    const before = db.fingerprints.get(testKey(t.name));
    if (before?.sql !== hash(t.sql)) return { test: t.name, action: 'run', reason: db.publishedBatch ? `new or changed since batch ${db.publishedBatch}` : 'first run' };
    const built = t.refs.filter((r) => !same(r));
    if (built.length > 0 || !t.refs.some((r) => models.get(r)?.selected)) return { test: t.name, action: 'run', reason: `reads ${built.join(', ') || 'what this batch builds'}, built in this batch` };
    if (t.severity === 'warn' && !before.outcome) return { test: t.name, action: 'run', reason: `warn severity, and batch ${db.publishedBatch} kept no outcome of it` };
    const outcome = before.outcome ?? { status: 'pass' as const, failures: 0 };
    const found = outcome.status === 'warn' ? `warned (${outcome.failures} failing row${outcome.failures === 1 ? '' : 's'}; reported again)` : 'passed';
    return { test: t.name, action: 'skip', reason: `${found} in batch ${db.publishedBatch} on the same relations`, outcome };
  });
}

/** The relation a source table is read from. */
export function sourceRelation(compiled: CompiledProject, source: string, table: string): string {
  const s = compiled.project.config.sources.find((x) => x.name === source);
  return qualify(s?.schema ?? source, table);
}

/** The source tables, and the seed tables not versioned per batch, that the chosen models (and the ephemerals they inline) read. */
export function tablesRead(compiled: CompiledProject, chosen: ReadonlySet<string>, versionedSeeds: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const name of compiled.order) {
    const m = compiled.models.get(name);
    if (!m || !(chosen.has(name) || m.config.materialized === 'ephemeral')) continue;
    for (const s of m.sources) out.add(sourceRelation(compiled, s.source, s.table));
    for (const r of m.refs) if (compiled.seeds.has(r) && !versionedSeeds.has(r)) out.add(qualify(compiled.seeds.get(r)!.schema, r));
  }
  return [...out].sort();
}

/** Runnable SQL from a compiled (placeholder) query, with the refs of the plan's batch. */
export function planResolver(compiled: CompiledProject, plan: BatchPlan): (sql: string) => string {
  return (sql) => resolvePlaceholders(inlineEphemerals(compiled, sql), { ref: (n) => plan.refs[n] ?? publishedRelation(compiled, n), this: () => '' });
}
