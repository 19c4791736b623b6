import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { ProjectError, type Diagnostic } from '../core/errors.ts';
import { nameProblem } from '../core/names.ts';
import { parseProjectConfig } from './config.ts';
import { emptySchemaDocs, parseDocBlocks, parseSchemaFile } from './schema-docs.ts';
import { parseUnitTests, type UnitTestSpec } from '../unit/spec.ts';
import type { ModelFile, Project, SeedFile, SourceFile } from './types.ts';
import { readYaml, yamlParser } from './yaml-file.ts';

export interface LoadOptions {
  /** `--vars`: YAML or JSON mapping overriding project.yaml `vars`. */
  vars?: string;
  /**
   * Collect the project's problems here instead of throwing them, so the compiler can
   * report them together with its own. Only an unreadable project.yaml still throws.
   */
  diagnostics?: Diagnostic[];
}

/**
 * The files under a folder ending in an extension, sorted, listing each folder once per
 * load: models/ is asked for .sql, .md, .yml and .yaml, and at 10,000 models each listing
 * cost as much as the next.
 */
function fileLister(): (dir: string, ext: string) => string[] {
  const listed = new Map<string, string[]>();
  return (dir, ext) => {
    let all = listed.get(dir);
    if (!all) {
      // Dirents know their type: no stat per file, which dominates reading large projects.
      all = existsSync(dir)
        ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath ?? d.path, d.name)).sort()
        : [];
      listed.set(dir, all);
    }
    return all.filter((f) => f.endsWith(ext));
  };
}

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

/** `path` relative to `dir`, which holds it (both resolved): a slice, not path.relative's work per file. */
const relativeTo = (dir: string, path: string): string =>
  toPosix(path.startsWith(dir + sep) ? path.slice(dir.length + 1) : relative(dir, path));

function sourceFile(dir: string, path: string): SourceFile {
  return { path, relPath: relativeTo(dir, path), text: readFileSync(path, 'utf8') };
}

export function parseVarsOverride(text: string, diagnostics: Diagnostic[]): Record<string, unknown> {
  try {
    const parsed: unknown = yamlParser().parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  diagnostics.push({ file: '--vars', message: `expected a mapping such as '{top_n: 3}', got ${JSON.stringify(text)}` });
  return {};
}

/** Reads a strata project from disk. Every problem is collected and thrown together. */
export function loadProject(projectDir: string, opts: LoadOptions = {}): Project {
  const dir = resolve(projectDir);
  const diagnostics: Diagnostic[] = [];
  const configPath = join(dir, 'project.yaml');
  if (!existsSync(configPath)) {
    throw new ProjectError([{ file: configPath, message: 'no project.yaml here: is --project-dir pointing at a strata project?' }]);
  }
  const yaml = readYaml(configPath, 'project.yaml', diagnostics);
  if (!yaml) throw new ProjectError(diagnostics);
  const config = parseProjectConfig(yaml, diagnostics);
  if (opts.vars) config.vars = { ...config.vars, ...parseVarsOverride(opts.vars, diagnostics) };

  const listFiles = fileLister();
  const layerNames = new Set(config.layers.map((l) => l.name));
  const modelsDir = join(dir, 'models');
  const models: ModelFile[] = [];
  const seen = new Map<string, string>();
  for (const path of listFiles(modelsDir, '.sql')) {
    const rel = relativeTo(modelsDir, path);
    const layer = rel.split('/')[0]!;
    const file = sourceFile(dir, path);
    if (!rel.includes('/') || !layerNames.has(layer)) {
      diagnostics.push({
        file: file.relPath,
        message: `models live in models/<layer>/; ${rel.includes('/') ? `\`${layer}\` is not a layer in project.yaml` : 'this file is in no layer'} (layers: ${[...layerNames].join(', ')})`,
      });
      continue;
    }
    const name = basename(path, '.sql');
    const bad = nameProblem(name);
    if (bad) {
      // The name becomes a relation and a lake file: refused here, before anything runs.
      diagnostics.push({ file: file.relPath, message: `model file name ${bad} (rename the file)` });
      continue;
    }
    const first = seen.get(name);
    if (first) {
      diagnostics.push({ file: file.relPath, node: name, message: `duplicate model name \`${name}\` (also ${first}); model names are unique across the project` });
      continue;
    }
    seen.set(name, file.relPath);
    models.push({ ...file, name, layer });
  }

  const docBlocks = new Map<string, string>();
  for (const path of listFiles(modelsDir, '.md')) parseDocBlocks(readFileSync(path, 'utf8'), relativeTo(dir, path), docBlocks, diagnostics);
  const schema = emptySchemaDocs();
  const unitTests: UnitTestSpec[] = [];
  for (const path of [...listFiles(modelsDir, '.yml'), ...listFiles(modelsDir, '.yaml')]) {
    const doc = readYaml(path, relativeTo(dir, path), diagnostics);
    if (doc) parseSchemaFile(doc, schema, diagnostics, docBlocks);
    if (doc) parseUnitTests(doc, unitTests, diagnostics);
  }
  const docs = schema.models;
  for (const [name, doc] of docs) {
    if (!seen.has(name)) diagnostics.push({ file: doc.file, line: doc.line, node: name, message: `documents model \`${name}\`, which does not exist` });
  }
  for (const source of schema.sources) {
    const first = config.sources.find((s) => s.name === source.name);
    if (first) diagnostics.push({ file: source.file, message: `source \`${source.name}\` is declared twice (also in ${first.file ?? 'project.yaml'})` });
    else config.sources.push(source);
  }
  for (const [folder, what] of [['snapshots', 'snapshots'], ['analyses', 'analyses']] as const) {
    if (listFiles(join(dir, folder), '.sql').length > 0) {
      diagnostics.push({ file: `${folder}/`, message: `${what} are not supported by strata (see "Coming from dbt" in the README): move the SQL into models/ or out of the project` });
    }
  }

  const seeds: SeedFile[] = listFiles(join(dir, 'seeds'), '.csv').map((path) => ({
    name: basename(path, '.csv'),
    path,
    relPath: relativeTo(dir, path),
  }));
  const singularTests = listFiles(join(dir, 'tests'), '.sql').map((p) => sourceFile(dir, p));
  for (const [what, file, name] of [
    ...seeds.map((s) => ['seed', s.relPath, s.name] as const),
    ...singularTests.map((t) => ['test', t.relPath, basename(t.path, '.sql')] as const),
  ]) {
    const bad = nameProblem(name);
    if (bad) diagnostics.push({ file, message: `${what} file name ${bad} (rename the file)` });
  }
  const refTargets = new Set([...seen.keys(), ...seeds.map((s) => s.name)]);
  for (const e of schema.exposures) {
    for (const r of e.refs) {
      if (!refTargets.has(r)) diagnostics.push({ file: e.file, line: e.line, node: e.name, message: `exposure \`${e.name}\` depends on \`${r}\`, which is no model or seed` });
    }
    for (const s of e.sources) {
      if (!config.sources.some((c) => c.name === s.source && c.tables.includes(s.table))) {
        diagnostics.push({ file: e.file, line: e.line, node: e.name, message: `exposure \`${e.name}\` depends on source \`${s.source}.${s.table}\`, which is not declared` });
      }
    }
  }
  for (const name of Object.keys(config.seeds)) {
    if (!seeds.some((s) => s.name === name)) {
      diagnostics.push({ file: 'project.yaml', line: yaml.lineOf(['seeds', name]), key: `seeds.${name}`, message: `configures seed \`${name}\`, but seeds/${name}.csv does not exist` });
    }
  }

  if (opts.diagnostics) opts.diagnostics.push(...diagnostics);
  else if (diagnostics.length > 0) throw new ProjectError(diagnostics);
  return {
    dir,
    config,
    models,
    docs,
    macros: listFiles(join(dir, 'macros'), '.sql').map((p) => sourceFile(dir, p)),
    seeds,
    singularTests,
    exposures: schema.exposures,
    unitTests,
    migrationsDir: join(dir, 'migrations'),
  };
}
