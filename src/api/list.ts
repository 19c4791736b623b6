/**
 * `ls`: the project's resources a selection picks, as dbt lists them. Sources and
 * exposures are listed with everything (no selection); seeds and models by the selection;
 * tests when they touch a listed model or seed (dbt's eager indirect selection).
 */
import { selectNodes, SelectorError, type SelectableNode } from '../graph/select.ts';
import { loadAndCompile, type CompileOptions } from './compile.ts';
import { selectableModels, selectorContext, type SelectionOptions } from './selection.ts';
import { testsFor } from './build-plan.ts';
import { ExitCode, StrataError } from '../core/errors.ts';
import type { ResourceType } from './resource-types.ts';


export interface ListedResource {
  name: string;
  resource_type: ResourceType;
  path: string;
  /** `jaffle_shop.marts.orders`: project, folder, name, as dbt's fqn. */
  fqn: string;
  depends_on: string[];
  config: Record<string, unknown>;
}

export interface ListOptions extends CompileOptions, SelectionOptions {
  resourceTypes?: readonly ResourceType[];
}

export async function listResources(opts: ListOptions): Promise<ListedResource[]> {
  const { compiled, tests } = await loadAndCompile({ ...opts, writeArtifacts: false });
  const { project } = compiled;
  const selecting = !!(opts.select?.length || opts.selector);
  const seedNodes: SelectableNode[] = [...compiled.seeds.values()].map((s) => ({ name: s.name, tags: [], layer: s.schema, path: `seeds/${s.name}.csv`, resourceType: 'seed' }));
  let chosen: Set<string>;
  if (selecting || opts.exclude?.length) {
    // Seeds are selectable here (`+orders` lists the seeds it reads); a run only builds models.
    try {
      chosen = selectNodes([...selectableModels(compiled), ...seedNodes], compiled.dag, opts.select, opts.exclude, selectorContext(compiled, opts), opts.selector);
    } catch (err) {
      if (err instanceof SelectorError) throw new StrataError(err.message, ExitCode.usage);
      throw err;
    }
  } else chosen = new Set([...compiled.models.keys(), ...compiled.seeds.keys()]);

  const out: ListedResource[] = [];
  const fqn = (...parts: string[]): string => [project.config.name, ...parts].join('.');
  if (!selecting) {
    for (const s of project.config.sources) {
      for (const t of s.tables) out.push({ name: `${s.name}.${t}`, resource_type: 'source', path: s.file ?? 'project.yaml', fqn: fqn(s.name, t), depends_on: [], config: { schema: s.schema } });
    }
  }
  for (const s of compiled.seeds.values()) {
    if (chosen.has(s.name)) out.push({ name: s.name, resource_type: 'seed', path: `seeds/${s.name}.csv`, fqn: fqn('seeds', s.name), depends_on: [], config: { schema: s.schema } });
  }
  for (const name of compiled.order) {
    const m = compiled.models.get(name);
    if (!m || !chosen.has(name)) continue;
    out.push({
      name,
      resource_type: 'model',
      path: m.relPath,
      fqn: fqn(m.layer, name),
      depends_on: [...m.refs, ...m.sources.map((s) => `${s.source}.${s.table}`)],
      config: { materialized: m.config.materialized, tags: m.config.tags, ...(m.config.uniqueKey.length ? { unique_key: m.config.uniqueKey } : {}) },
    });
  }
  for (const t of testsFor(tests, chosen)) {
    out.push({ name: t.name, resource_type: 'test', path: t.file, fqn: fqn('tests', t.name), depends_on: t.refs, config: { severity: t.severity } });
  }
  if (!selecting) {
    for (const e of project.exposures) {
      out.push({ name: e.name, resource_type: 'exposure', path: e.file, fqn: fqn('exposures', e.name), depends_on: [...e.refs, ...e.sources.map((s) => `${s.source}.${s.table}`)], config: { type: e.type } });
    }
  }
  return opts.resourceTypes?.length ? out.filter((r) => opts.resourceTypes!.includes(r.resource_type)) : out;
}
