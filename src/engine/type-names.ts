import type { Queryable } from './engine.ts';

/** A type name as written in project.yaml: words, an optional (p[, s]) and []. Checked before it reaches SQL. */
const TYPE_NAME = /^[a-z][a-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$/i;

export class TypeNameError extends Error {}

/**
 * Types as PostgreSQL resolves them, the way `format_type` prints them (`timestamp` →
 * `timestamp without time zone`, `float8` → `double precision`, `int` → `integer`,
 * `numeric(10,2)` keeps its modifier), so nothing compares types by their spelling. A
 * temporary table declares them and is gone at commit. Throws TypeNameError naming the
 * first name that is not a type.
 */
export async function resolveTypeNames(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  names: readonly string[],
): Promise<string[]> {
  if (names.length === 0) return [];
  const bad = names.find((n) => !TYPE_NAME.test(n));
  if (bad !== undefined) throw new TypeNameError(`${JSON.stringify(bad)} is not a type name`);
  try {
    return await db.transaction(async (tx) => {
      await tx.query(`create temporary table strata_type_names (${names.map((t, i) => `c${i} ${t}`).join(', ')}) on commit drop`);
      const { rows } = await tx.query<{ type: string }>(
        `select format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'strata_type_names'::regclass and attnum > 0 order by attnum`,
      );
      return rows.map((r) => r.type);
    });
  } catch (err) {
    throw new TypeNameError((err as Error).message);
  }
}
