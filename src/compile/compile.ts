import { hexDigest } from '../core/hash.ts';
import type { Diagnostic } from '../core/errors.ts';
import type { ModelAnalysis } from '../sql/analyze.ts';
import { Dag } from '../graph/dag.ts';
import { MATERIALIZATIONS, type Materialization, type Project } from '../project/types.ts';
import { sqlLiteral } from '../engine/quote.ts';
import { createRenderer, type RenderEnv, type RenderFlags, type Renderer, type RenderState } from './render.ts';
import type { CompiledModel, IndexSpec, ModelConfig, ModelSetting, SeedNode, SnapshotConfig } from './types.ts';

export interface CompiledProject {
  project: Project;
  models: Map<string, CompiledModel>;
  seeds: Map<string, SeedNode>;
  /** Models and seeds; an edge from each ref to the model that reads it. */
  dag: Dag;
  /** Topological order of the whole graph, deterministic. */
  order: string[];
  renderer: Renderer;
  /** Templates of the models that ask `is_incremental`, rendered again at run time. */
  templates: Map<string, HandlebarsTemplateDelegate>;
  diagnostics: Diagnostic[];
  /** Per model, what its SQL says (compile/comprehend.ts); set once the SQL has been read. */
  analyses?: ReadonlyMap<string, ModelAnalysis>;
}

export const checksum = (text: string): string => hexDigest('sha256', text).slice(0, 16);

const list = (v: unknown): string[] =>
  typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];

/** A setting name (letters, digits, _ and . for extensions') and a plain value: nothing to quote or inject. */
const SETTING = /^([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)\s*=\s*([A-Za-z0-9_.+-]+)$/i;

function modelConfig(state: RenderState, layerDefault: Materialization, problems: Diagnostic[]): ModelConfig {
  const c = state.config;
  const at = { file: state.file, ...(state.configLine !== undefined ? { line: state.configLine } : {}) };
  let materialized = layerDefault;
  if (c.materialized !== undefined) {
    if (MATERIALIZATIONS.includes(c.materialized as Materialization)) materialized = c.materialized as Materialization;
    else problems.push({ ...at, message: `materialized must be one of ${MATERIALIZATIONS.join(', ')}, got ${JSON.stringify(c.materialized)}` });
  }
  const uniqueKey = list(c.unique_key);
  if (materialized === 'incremental' && uniqueKey.length === 0) {
    problems.push({ ...at, message: 'an incremental model needs unique_key="column[,column]" to merge on' });
  }
  let snapshot: SnapshotConfig | undefined;
  if (materialized === 'snapshot') {
    if (uniqueKey.length === 0) problems.push({ ...at, message: 'a snapshot needs unique_key="column[,column]": the key of the rows it keeps the history of' });
    if (c.strategy === 'timestamp' && typeof c.updated_at === 'string' && c.updated_at.trim()) snapshot = { strategy: 'timestamp', updatedAt: c.updated_at.trim() };
    else if (c.strategy === 'check' && list(c.check_cols).length > 0) snapshot = { strategy: 'check', checkCols: list(c.check_cols) };
    else problems.push({ ...at, message: 'a snapshot needs strategy="timestamp" updated_at="column", or strategy="check" check_cols="column[,column]"' });
  }
  const keysFrom = typeof c.keys_from === 'string' ? c.keys_from.trim() : undefined;
  if (keysFrom !== undefined && materialized !== 'incremental') problems.push({ ...at, message: 'keys_from (delete detection) is for incremental models' });
  if (keysFrom !== undefined && !state.refs.includes(keysFrom)) {
    problems.push({ ...at, message: `keys_from="${keysFrom}" must name a model this one refs (${state.refs.join(', ') || 'none'})` });
  }
  // indexes="product_id, buyer_id+created_at, unique:review_id": one index per item, + joins columns.
  const indexes: IndexSpec[] = list(c.indexes).map((item) => {
    const unique = item.startsWith('unique:');
    return { unique, columns: item.replace(/^unique:/, '').split('+').map((s) => s.trim()) };
  });
  // settings="work_mem=256MB, jit=off": PostgreSQL settings for this model's transaction only.
  const settings: ModelSetting[] = [];
  for (const item of list(c.settings)) {
    const m = SETTING.exec(item);
    if (m) settings.push({ name: m[1]!.toLowerCase(), value: m[2]! });
    else problems.push({ ...at, message: `settings: ${JSON.stringify(item)} is not name=value (a PostgreSQL setting, e.g. work_mem=256MB)` });
  }
  return {
    materialized,
    uniqueKey,
    ...(keysFrom ? { keysFrom } : {}),
    tags: list(c.tags),
    indexes,
    ...(settings.length ? { settings } : {}),
    ...(typeof c.description === 'string' ? { description: c.description } : {}),
    ...(c.export !== undefined ? { export: c.export === true || c.export === 'true' } : {}),
    ...(snapshot ? { snapshot } : {}),
  };
}

/** A yml `config:` block in the shape {{config}} takes: lists become comma-separated text. */
function ymlConfig(config: Record<string, unknown>): Record<string, string | boolean | number> {
  const out: Record<string, string | boolean | number> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'meta') continue;
    out[key] = Array.isArray(value) ? value.join(', ') : (value as string | boolean | number);
  }
  return out;
}

/**
 * Renders every model once, learns its refs and config, builds the graph and reports
 * every problem (unknown refs and sources, template errors, cycles, a model that is not
 * one reading SELECT) together. `loadSqlParser()` (sql/parser.ts) must have run before.
 */
export function compileModels(
  project: Project,
  flags: RenderFlags,
  /** What `env_var` and `target` see: the environment with .env, the engine the run uses. */
  context: Pick<RenderEnv, 'env' | 'target'> = {},
): CompiledProject {
  const diagnostics: Diagnostic[] = [];
  const seeds = new Map<string, SeedNode>(
    project.seeds.map((s) => [s.name, { name: s.name, schema: project.config.seeds[s.name]?.schema ?? project.config.seedSchema }]),
  );
  for (const m of project.models) {
    if (seeds.has(m.name)) diagnostics.push({ file: m.relPath, node: m.name, message: `model \`${m.name}\` has the same name as seed seeds/${m.name}.csv` });
  }
  const refTargets = new Set([...project.models.map((m) => m.name), ...seeds.keys()]);
  const renderer = createRenderer({ refTargets, config: project.config, ...context }, project.macros, diagnostics);
  const layers = new Map(project.config.layers.map((l) => [l.name, l]));

  const dag = new Dag();
  for (const s of seeds.keys()) dag.addNode(s);
  const models = new Map<string, CompiledModel>();
  const templates = new Map<string, HandlebarsTemplateDelegate>();
  for (const file of project.models) {
    dag.addNode(file.name);
    const template = renderer.compile(file.relPath, file.text);
    if (!template) continue;
    const renderFlags = { ...flags, schema: layers.get(file.layer)!.schema };
    const { sql, state } = renderer.render(template, file.relPath, renderFlags);
    // Only a model that asks is_incremental is rendered again (at run time).
    if (state.usedIsIncremental) templates.set(file.name, template);
    diagnostics.push(...state.diagnostics);
    const doc = project.docs.get(file.name);
    // A `config:` block in yml sits under the model's own {{config}}, as in dbt.
    if (doc?.config) state.config = { ...ymlConfig(doc.config), ...state.config };
    const config = modelConfig(state, layers.get(file.layer)!.materialized, diagnostics);
    if (!config.description && doc?.description) config.description = doc.description;
    for (const r of state.refs) if (refTargets.has(r)) dag.addEdge(r, file.name);
    models.set(file.name, {
      name: file.name,
      layer: file.layer,
      relPath: file.relPath,
      config,
      refs: state.refs,
      sources: state.sources,
      sql: sql.trim(),
      usesIsIncremental: state.usedIsIncremental,
      ...(state.masked.length > 0 ? { masked: state.masked } : {}),
      // Of the rendered SQL, so a change in a macro or a var changes it too; the batch id
      // it may embed is not a change of the model.
      checksum: checksum(sql.replaceAll(sqlLiteral(flags.batchId), "'{{batch_id}}'")),
    });
  }
  const { order, cycles } = dag.sort();
  for (const cycle of cycles) {
    const first = models.get(cycle[0]!);
    diagnostics.push({ ...(first ? { file: first.relPath } : {}), message: `dependency cycle: ${cycle.join(' -> ')}` });
  }
  return { project, models, seeds, dag, order, renderer, templates, diagnostics };
}
