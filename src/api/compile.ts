import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileTests } from '../checks/compile-tests.ts';
import { compileModels, type CompiledProject } from '../compile/compile.ts';
import { resolvePlaceholders } from '../compile/placeholders.ts';
import { publishedRelation } from '../compile/relations.ts';
import type { CompiledTest } from '../compile/types.ts';
import { ProjectError, type Diagnostic } from '../core/errors.ts';
import { ioFailure } from '../core/io-errors.ts';
import { inside } from '../core/paths.ts';
import { STRATA_VERSION } from '../core/version.ts';
import { loadProject } from '../project/load.ts';
import type { Project } from '../project/types.ts';
import { inlineEphemerals } from '../materialize/ephemeral.ts';
import { AnalysisCache, keptOutputColumnsJson } from '../compile/analysis-cache.ts';
import { outputColumns } from '../sql/output-columns.ts';
import { RawJsonSlots } from '../core/raw-json.ts';
import { comprehendProject, parseAhead } from '../compile/comprehend.ts';
import { ReadVerdicts } from '../compile/read-verdicts.ts';
import { WrittenFiles } from '../compile/written-files.ts';
import { writeTargetFile, writeTextFiles, type TextFile } from '../compile/target-files.ts';
import { sha1 } from '../core/hash.ts';
import { ARTIFACT_SCHEMA_VERSION, type Manifest } from '../core/artifacts.ts';
import { unitTestProblems } from '../unit/run.ts';
import type { ModelAnalysis } from '../sql/analyze.ts';
import type { ManifestOutputColumn } from '../docs/types.ts';
import { projectEnv } from '../project/env.ts';
import { templateTarget } from './target.ts';
import { apiExposures } from '../serve/endpoints.ts';
import { loadSqlParser } from '../sql/parser.ts';
import { ParseAhead } from '../sql/parse-ahead.ts';

export { loadSqlParser };

/**
 * From this many models on, a worker thread parses their SQL ahead of the analysis
 * (sql/parse-ahead.ts); starting one costs ≈0.1 s of CPU, which fewer models do not repay.
 */
export const PARSE_AHEAD_FROM = 2000;

export interface CompileOptions {
  projectDir: string;
  vars?: string;
  batchId?: string;
  /** Write target/ (manifest, compiled SQL, the kept analyses): loadAndCompile does, by default. */
  writeArtifacts?: boolean;
  /** The models whose compiled SQL is written (default: all); the manifest always describes the whole project. */
  writeOnly?: (compiled: CompiledProject) => ReadonlySet<string>;
  /**
   * Reuse the SQL analyses of the last compile kept in target/ for the models that did not
   * change, and keep this compile's there (compile/analysis-cache.ts). Default: when
   * writing the artifacts, as the commands that write target/ do.
   */
  analysisCache?: boolean;
  /** For `{{target.engine}}`: the same flags that choose the database of a run. */
  databaseUrl?: string;
  target?: string;
}

export interface CompileResult {
  compiled: CompiledProject;
  tests: CompiledTest[];
  /** Per model: its output columns, their lineage, the columns it reads (compile/comprehend.ts). */
  analyses: Map<string, ModelAnalysis>;
  /** `analyzeMs`: parsing and analyzing the SQL, part of `compileMs`. */
  timings: { readMs: number; compileMs: number; analyzeMs: number };
  /** Whether a template read an env var (`env_var`). */
  readEnv: boolean;
}

/**
 * Reads and compiles a project, and reads every model's SQL with PostgreSQL's parser (await
 * `loadSqlParser()` once before, or call `loadAndCompile`, which also writes target/); throws
 * one ProjectError listing every problem. `rendered` is called once every model and test
 * has its SQL, before that SQL is analyzed, when nothing has failed so far.
 */
export function compileProject(opts: CompileOptions, rendered?: (compiled: CompiledProject, tests: CompiledTest[]) => void): CompileResult {
  const t0 = performance.now();
  const projectProblems: Diagnostic[] = [];
  const project = loadProject(opts.projectDir, { ...(opts.vars !== undefined ? { vars: opts.vars } : {}), diagnostics: projectProblems });
  const t1 = performance.now();
  // Started now, the parser's worker is ready once the models are rendered.
  const ahead = project.models.length >= PARSE_AHEAD_FROM ? ParseAhead.start() : undefined;
  try {
    return compileLoaded(opts, { project, projectProblems, t0, t1 }, rendered, ahead);
  } finally {
    void ahead?.close();
  }
}

/** A project as loadProject read it: its problems so far, and when reading began and ended. */
interface LoadedProject {
  project: Project;
  projectProblems: Diagnostic[];
  t0: number;
  t1: number;
}

function compileLoaded(
  opts: CompileOptions,
  { project, projectProblems, t0, t1 }: LoadedProject,
  rendered: ((compiled: CompiledProject, tests: CompiledTest[]) => void) | undefined,
  ahead: ParseAhead | undefined,
): CompileResult {
  const batchId = opts.batchId ?? 'compile';
  const flags = { isIncremental: false, batchId };
  const env = projectEnv(project.dir);
  let readEnv = false;
  const templateEnv = new Proxy(env, { get: (all, name) => ((readEnv = true), Reflect.get(all, name)) });
  const compiled = compileModels(project, flags, { env: templateEnv, target: templateTarget(opts, env) });
  const { tests, diagnostics } = compileTests(compiled, batchId);
  const early = [...projectProblems, ...compiled.diagnostics, ...diagnostics, ...unitTestProblems(compiled, project.unitTests)];
  // The SQL of a model whose template failed is not read: its error would only echo the first.
  const failed = new Set(early.flatMap((d) => (d.file ? [d.file] : [])));
  const ta = performance.now();
  const keep = opts.analysisCache ?? opts.writeArtifacts !== false;
  const cache = keep ? AnalysisCache.read(join(project.dir, 'target')) : undefined;
  // Before the files are handed to their writer: the worker parses while that is done.
  const parsing = ahead && parseAhead(ahead, compiled, failed, cache);
  const handing = performance.now();
  if (early.length === 0) rendered?.(compiled, tests);
  const handedMs = performance.now() - handing;
  const verdicts = keep ? ReadVerdicts.open() : undefined;
  const { analyses, diagnostics: sqlProblems } = comprehendProject(compiled, flags, failed, cache, verdicts, parsing);
  // Kept even when another model failed: what was found to read still reads.
  verdicts?.write();
  const analyzeMs = performance.now() - ta - handedMs;
  compiled.analyses = analyses;
  const all = [...early, ...sqlProblems];
  if (all.length > 0) throw new ProjectError(all);
  cache?.write();
  const t2 = performance.now();
  return { compiled, tests, analyses, timings: { readMs: t1 - t0, compileMs: t2 - t1, analyzeMs }, readEnv };
}

/**
 * compileProject once PostgreSQL's parser is loaded, and target/ written (unless
 * `writeArtifacts: false`): how the commands compile. The compiled SQL files are written
 * while the models' SQL is analyzed; when the compile fails, no further one is.
 */
export async function loadAndCompile(opts: CompileOptions): Promise<CompileResult> {
  await loadSqlParser();
  if (opts.writeArtifacts === false) return compileProject(opts);
  let writing: ArtifactWrite | undefined;
  try {
    const result = compileProject(opts, (compiled, tests) => (writing = startCompileArtifacts(compiled, tests, opts.writeOnly?.(compiled))));
    await writing!.finish(result.analyses);
    return result;
  } catch (err) {
    await writing?.stop();
    throw err;
  }
}

/** SQL as it would run against the published layers: what people read in target/compiled. */
export function publishedSql(compiled: CompiledProject, sql: string, self?: string): string {
  const resolver = {
    ref: (name: string) => publishedRelation(compiled, name),
    this: () => (self ? publishedRelation(compiled, self) : '/* this */'),
  };
  return resolvePlaceholders(inlineEphemerals(compiled, sql), resolver);
}

/** The values of secret env vars that models read, collected once per compile: each artifact is searched for them. */
const secretsCache = new WeakMap<CompiledProject, string[]>();
const secretsOf = (compiled: CompiledProject): string[] => {
  let found = secretsCache.get(compiled);
  if (!found) secretsCache.set(compiled, (found = [...compiled.models.values()].flatMap((m) => m.masked ?? [])));
  return found;
};

/** As publishedSql, with the values of secret env vars (of this model and the ephemerals it inlines) as '****'. */
function artifactSql(compiled: CompiledProject, sql: string, self?: string): string {
  let out = publishedSql(compiled, sql, self);
  for (const secret of secretsOf(compiled)) out = out.replaceAll(secret, "'****'");
  return out;
}

export function buildManifest(
  compiled: CompiledProject,
  tests: readonly CompiledTest[],
  sqlOf: (name: string) => string = (n) => modelSql(compiled, n),
  analyses: ReadonlyMap<string, ModelAnalysis> = compiled.analyses ?? new Map(),
  columnsOf: (analysis: ModelAnalysis | undefined) => ManifestOutputColumn[] | null = outputColumns,
): Manifest {
  const { project, models, seeds, dag } = compiled;
  const nodes: Manifest['nodes'] = {};
  for (const s of seeds.values()) {
    nodes[s.name] = { kind: 'seed', relation: publishedRelation(compiled, s.name), path: `seeds/${s.name}.csv` };
  }
  for (const m of models.values()) {
    const doc = project.docs.get(m.name);
    nodes[m.name] = {
      kind: 'model',
      layer: m.layer,
      path: m.relPath,
      relation: m.config.materialized === 'ephemeral' ? null : publishedRelation(compiled, m.name),
      config: { ...m.config },
      refs: m.refs,
      sources: m.sources,
      checksum: m.checksum,
      description: m.config.description ?? null,
      columns: doc?.columns.map((c) => ({ name: c.name, description: c.description ?? null, tests: c.tests.map((t) => t.kind), meta: c.meta ?? {} })) ?? [],
      meta: { ...(doc?.config?.meta as object | undefined), ...doc?.meta },
      output_columns: columnsOf(analyses.get(m.name)),
      compiled_sql: sqlOf(m.name),
    };
  }
  // The endpoints of `serve` read published models: exposures, drawn at the end of the lineage.
  for (const e of apiExposures(project)) {
    nodes[`api:${e.name}`] = { kind: 'exposure', path: e.file, relation: `GET ${e.path}`, refs: e.refs, description: e.description, compiled_sql: e.sql };
  }
  return {
    schema_version: ARTIFACT_SCHEMA_VERSION,
    strata_version: STRATA_VERSION,
    generated_at: new Date().toISOString(),
    project: project.config.name,
    layers: project.config.layers,
    sources: project.config.sources,
    nodes,
    exposures: project.exposures,
    edges: dag.nodes.flatMap((n) => dag.children(n).map((c): [string, string] => [n, c])),
    order: compiled.order,
    tests: tests.map((t) => ({
      name: t.name,
      model: t.model ?? null,
      refs: t.refs,
      kind: t.kind,
      severity: t.severity,
      column: t.column ?? null,
      file: t.file,
      sql: artifactSql(compiled, t.sql),
    })),
  };
}

const modelSql = (compiled: CompiledProject, name: string): string => artifactSql(compiled, compiled.models.get(name)!.sql, name);

/** Creates the folder; true when it did not exist before (nothing in it to compare with). */
function makeDir(path: string): boolean {
  try {
    return mkdirSync(path, { recursive: true }) !== undefined;
  } catch (err) {
    throw ioFailure('write', path, err);
  }
}

/** target/ being written: its compiled SQL from the start, then the manifest once the analyses are known. */
export interface ArtifactWrite {
  finish(analyses: ReadonlyMap<string, ModelAnalysis>): Promise<void>;
  /** The compile failed: no further file is written (the one being written is finished). */
  stop(): Promise<void>;
}

/**
 * Starts writing target/compiled (`only`: the selected models' SQL; default all), each
 * file unless it holds its text already (compile/target-files.ts); `finish` then writes
 * compiled-files.tsv and the manifest, which always describes the whole project.
 */
export function startCompileArtifacts(compiled: CompiledProject, tests: readonly CompiledTest[], only?: ReadonlySet<string>): ArtifactWrite {
  const target = join(compiled.project.dir, 'target');
  const sql = new Map<string, string>();
  /** Each folder written to, and whether this compile created it. */
  const made = new Map<string, boolean>();
  const written = WrittenFiles.read(target);
  const files: TextFile[] = [];
  const digests: string[] = [];
  const add = (path: string, text: string): void => {
    const dir = dirname(path);
    let created = made.get(dir);
    if (created === undefined) made.set(dir, (created = makeDir(dir)));
    const digest = sha1(text);
    // Unchanged since the last compile wrote it, by its stat: not opened at all.
    if (!created && written.unchanged(path, digest)) return;
    files.push({ path, text, compare: !created });
    digests.push(digest);
  };
  for (const m of compiled.models.values()) {
    const text = modelSql(compiled, m.name);
    sql.set(m.name, text);
    if (only && !only.has(m.name)) continue;
    add(inside(target, 'compiled', m.layer, `${m.name}.sql`), text + '\n');
  }
  for (const t of tests) add(inside(target, 'compiled', 'tests', `${t.name}.sql`), artifactSql(compiled, t.sql) + '\n');
  makeDir(target);
  const pending = writeTextFiles(files);
  return {
    stop: () => pending.stop(),
    finish: async (analyses) => {
      const stats = await pending.done();
      files.forEach((f, i) => written.record(f.path, digests[i]!, stats[i]!));
      written.write();
      // Its generated_at differs every time: nothing to compare. Compact, as dbt writes it: at
      // 10,000 models indenting doubled it to 25 MB and its writing time. The output columns of
      // an analysis the kept analyses hold (from the last compile, or kept now for the next)
      // are written from the text kept with it (two thirds of the manifest, which would
      // otherwise be built and stringified again).
      const raw = new RawJsonSlots();
      const columnsOf = (a: ModelAnalysis | undefined): ManifestOutputColumn[] | null => {
        const kept = a && keptOutputColumnsJson(a);
        return kept === undefined ? outputColumns(a) : raw.slot(kept);
      };
      writeTargetFile({ path: inside(target, 'manifest.json'), text: raw.stringify(buildManifest(compiled, tests, (n) => sql.get(n)!, analyses, columnsOf)) + '\n', compare: false });
    },
  };
}
