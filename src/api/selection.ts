/**
 * Which models a command works on: --select / --exclude / --selector over the compiled
 * project, with what `state:`, `result:` and `selector:` need read from disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CompiledProject } from '../compile/compile.ts';
import type { ModelConfig } from '../compile/types.ts';
import { ExitCode, ProjectError, StrataError, type Diagnostic } from '../core/errors.ts';
import { selectNodes, SelectorError, type SelectableNode, type SelectorContext, type StateNode } from '../graph/select.ts';
import { readSelectors } from '../project/selectors-file.ts';
import { ArtifactError, readArtifact, type Manifest, type RunResults } from '../core/artifacts.ts';

export interface SelectionOptions {
  select?: readonly string[];
  exclude?: readonly string[];
  /** A definition in selectors.yml. */
  selector?: string;
  /** A folder holding an earlier manifest.json, for `state:`. */
  state?: string;
}

/** A model's config under the names dbt users select on: `config.materialized:table`. */
export function selectorConfig(c: ModelConfig): Record<string, unknown> {
  return {
    materialized: c.materialized,
    unique_key: c.uniqueKey,
    tags: c.tags,
    ...(c.export !== undefined ? { export: c.export } : {}),
    ...(c.indexes.length > 0 ? { indexes: c.indexes } : {}),
  };
}

export function selectableModels(compiled: CompiledProject): SelectableNode[] {
  return [...compiled.models.values()].map((m) => ({
    name: m.name,
    tags: m.config.tags,
    layer: m.layer,
    path: m.relPath,
    sources: m.sources,
    config: selectorConfig(m.config),
    checksum: m.checksum,
  }));
}

function readJson(path: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new StrataError(`${what} ${path} cannot be read: ${(err as Error).message}`, ExitCode.usage);
  }
}

/** The nodes of the manifest in `dir`, for `state:` comparisons. */
function readState(dir: string): Map<string, StateNode> {
  const path = join(resolve(dir), 'manifest.json');
  if (!existsSync(path)) throw new StrataError(`--state ${dir}: no manifest.json there (copy target/manifest.json of the run to compare with)`, ExitCode.usage);
  const nodes = ((readJson(path, '--state manifest') as unknown as Manifest).nodes ?? {});
  return new Map(
    Object.entries(nodes)
      .map(([name, n]) => [name, { ...(n.checksum ? { checksum: n.checksum } : {}), ...(n.config ? { config: selectorConfig(n.config as unknown as ModelConfig) } : {}) }]),
  );
}

/** target/run_results.json of the last run, or null when there was none. */
export function lastRunResults(projectDir: string): RunResults | null {
  try {
    return readArtifact(projectDir, 'runResults');
  } catch (err) {
    if (err instanceof ArtifactError) throw new StrataError(`last run results ${err.message}`, ExitCode.usage);
    throw err;
  }
}

/** Statuses per model of the last run: a test's status counts for its model, as `result:fail` needs. */
export function readLastResults(projectDir: string): Map<string, Set<string>> | undefined {
  const last = lastRunResults(projectDir);
  if (!last) return undefined;
  const results = last.results ?? [];
  const out = new Map<string, Set<string>>();
  for (const r of results) {
    const name = r.kind === 'test' ? r.model : r.name;
    if (!name) continue;
    if (!out.has(name)) out.set(name, new Set());
    out.get(name)!.add(r.status);
  }
  return out;
}

/** What `state:`, `result:` and `selector:` read: --state DIR, the last run_results.json, selectors.yml. */
export function selectorContext(compiled: CompiledProject, opts: SelectionOptions): SelectorContext {
  const context: SelectorContext = {};
  if (opts.state) context.state = readState(opts.state);
  // An unreadable last run only matters to `result:`, which then says there is none.
  const results = (() => {
    try {
      return readLastResults(compiled.project.dir);
    } catch {
      return undefined;
    }
  })();
  if (results) context.results = results;
  const problems: Diagnostic[] = [];
  context.selectors = readSelectors(compiled.project.dir, problems);
  if (problems.length > 0) throw new ProjectError(problems);
  return context;
}

/** The chosen model names; a bad selector is a usage error (exit code 2). */
export function chooseModels(compiled: CompiledProject, opts: SelectionOptions): Set<string> {
  const context = selectorContext(compiled, opts);
  try {
    return selectNodes(selectableModels(compiled), compiled.dag, opts.select, opts.exclude, context, opts.selector);
  } catch (err) {
    if (err instanceof SelectorError) throw new StrataError(err.message, ExitCode.usage);
    throw err;
  }
}
