/**
 * Source contracts: the columns (and types) each source table must have, declared in
 * project.yaml, checked against the live database before `build`, `run` and `test` run
 * anything and reported by `health`. A missing or retyped column is named with the table,
 * the column, the type expected and the type found. Extra columns are allowed: the shop
 * may add what the pipeline does not read.
 */
import { ExitCode, StrataError } from '../core/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { resolveTypeNames, TypeNameError } from '../engine/type-names.ts';
import type { Project } from '../project/types.ts';

/** One broken promise, as a line a person reads: `amazon.review.rating: expected smallint, found text`. */
export async function sourceContractProblems(engine: Engine, project: Project): Promise<string[]> {
  const declared = project.config.sources.flatMap((s) =>
    Object.entries(s.columns ?? {}).map(([table, columns]) => ({ source: s, table, columns })),
  );
  if (declared.length === 0) return [];
  const types = declared.flatMap((d) => d.columns.map((c) => c.type));
  let resolved: string[];
  try {
    resolved = await resolveTypeNames(engine, types);
  } catch (err) {
    if (err instanceof TypeNameError) throw new StrataError(`project.yaml \`sources\` columns: ${err.message}`, ExitCode.usage);
    throw err;
  }
  const { rows } = await engine.query<{ schema: string; table: string; column: string; type: string }>(
    `select n.nspname as schema, c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped`,
    [[...new Set(declared.map((d) => d.source.schema))]],
  );
  const live = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const key = `${r.schema}.${r.table}`;
    if (!live.has(key)) live.set(key, new Map());
    live.get(key)!.set(r.column, r.type);
  }
  const problems: string[] = [];
  let i = 0;
  for (const d of declared) {
    const rel = `${d.source.schema}.${d.table}`;
    const found = live.get(rel);
    if (!found) {
      problems.push(`${rel}: the table does not exist`);
      i += d.columns.length;
      continue;
    }
    for (const c of d.columns) {
      const expected = resolved[i++]!;
      const actual = found.get(c.name);
      if (actual === undefined) problems.push(`${rel}.${c.name}: the column is missing (expected ${expected})`);
      else if (actual !== expected) problems.push(`${rel}.${c.name}: expected ${expected}, found ${actual}`);
    }
  }
  return problems;
}

/** Stops a command before it runs anything when a source breaks its contract (exit 1). */
export async function assertSourceContracts(engine: Engine, project: Project): Promise<void> {
  const problems = await sourceContractProblems(engine, project);
  if (problems.length === 0) return;
  throw new StrataError(
    `the source${problems.length > 1 ? 's break their' : ' breaks its'} contract in project.yaml, so nothing ran:\n` +
      problems.map((p) => `  - ${p}`).join('\n') +
      '\nFix the source, or update its `columns` in project.yaml (and the models that read it).',
    ExitCode.failed,
  );
}
