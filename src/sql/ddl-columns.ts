/**
 * The columns of the tables a project's migrations create, read from the DDL itself with
 * PostgreSQL's parser: what a model can read from a source before any database exists.
 * CREATE TABLE, ALTER TABLE ADD/DROP/ALTER TYPE/RENAME COLUMN, renames and drops are
 * followed in order; a table built in ways not followed here (LIKE, INHERITS, PARTITION
 * OF, AS SELECT) is left out, so its columns stay unknown rather than wrong.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnDef, Node, RangeVar, TypeName } from 'libpg-query';
import { parseSqlOrError } from './parser.ts';
import type { CatalogColumn } from './analyze.ts';
import { stringOf, unwrap } from './column-names.ts';
import { relationKey } from './model-sql.ts';
import { formatTypeName } from './type-names.ts';

const SERIAL: Record<string, string> = { smallserial: 'smallint', serial2: 'smallint', serial: 'integer', serial4: 'integer', bigserial: 'bigint', serial8: 'bigint' };

const keyOf = (rv: RangeVar | undefined): string => relationKey({ kind: 'table', schema: rv?.schemaname ?? null, name: rv?.relname ?? '' });

function columnOf(def: ColumnDef): CatalogColumn {
  const t = def.typeName as TypeName;
  const last = stringOf(t.names?.at(-1));
  const type = formatTypeName(t) ?? (t.names?.length === 1 && last && last in SERIAL ? SERIAL[last] : undefined);
  return { name: def.colname!, ...(type !== undefined ? { type } : {}) };
}

/** tablesFromDdl of a migrations folder's `*.sql` files in name order; empty without the folder. */
export function tablesFromMigrations(dir: string): Map<string, CatalogColumn[]> {
  let scripts: string[] = [];
  try {
    scripts = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
  } catch {
    /* a project without migrations */
  }
  return tablesFromDdl(scripts);
}

/** Table columns by `schema.table` (or `table` when created unqualified), after all scripts in order. */
export function tablesFromDdl(scripts: readonly string[]): Map<string, CatalogColumn[]> {
  const tables = new Map<string, CatalogColumn[]>();
  for (const script of scripts) {
    const parsed = parseSqlOrError(script);
    if (parsed instanceof Error) continue; // a broken migration is the migrator's to report
    for (const { stmt } of parsed.stmts ?? []) apply(tables, stmt as Node | undefined);
  }
  return tables;
}

function apply(tables: Map<string, CatalogColumn[]>, stmt: Node | undefined): void {
  const [tag, b] = unwrap(stmt);
  switch (tag) {
    case 'CreateStmt': {
      const key = keyOf(b.relation as RangeVar);
      if (b.if_not_exists && tables.has(key)) return;
      const elements = (b.tableElts as Node[] | undefined) ?? [];
      if (b.inhRelations || b.partbound || elements.some((e) => 'TableLikeClause' in e)) {
        tables.delete(key);
        return;
      }
      tables.set(key, elements.flatMap((e) => ('ColumnDef' in e ? [columnOf(e.ColumnDef as ColumnDef)] : [])));
      return;
    }
    case 'AlterTableStmt': {
      const key = keyOf(b.relation as RangeVar);
      const cols = tables.get(key);
      if (!cols) return;
      for (const c of (b.cmds as Node[] | undefined) ?? []) {
        const cmd = unwrap(c)[1];
        const name = cmd.name as string | undefined;
        const def = (cmd.def as { ColumnDef?: ColumnDef } | undefined)?.ColumnDef;
        if (cmd.subtype === 'AT_AddColumn' && def && !cols.some((x) => x.name === def.colname)) cols.push(columnOf(def));
        else if (cmd.subtype === 'AT_DropColumn') cols.splice(0, cols.length, ...cols.filter((x) => x.name !== name));
        else if (cmd.subtype === 'AT_AlterColumnType' && def) {
          const i = cols.findIndex((x) => x.name === name);
          if (i >= 0) cols[i] = columnOf({ ...def, colname: name! });
        }
      }
      return;
    }
    case 'RenameStmt': {
      const key = keyOf(b.relation as RangeVar);
      const cols = tables.get(key);
      if (!cols) return;
      if (b.renameType === 'OBJECT_COLUMN') {
        const i = cols.findIndex((x) => x.name === b.subname);
        if (i >= 0) cols[i] = { ...cols[i]!, name: b.newname as string };
      } else if (b.renameType === 'OBJECT_TABLE') {
        tables.delete(key);
        tables.set(keyOf({ ...(b.relation as RangeVar), relname: b.newname as string }), cols);
      }
      return;
    }
    case 'DropStmt':
      if (b.removeType !== 'OBJECT_TABLE') return;
      for (const o of (b.objects as { List: { items: Node[] } }[] | undefined) ?? []) {
        const parts = o.List.items.map((n) => stringOf(n) ?? '');
        tables.delete(relationKey({ kind: 'table', schema: parts.length > 1 ? parts.at(-2)! : null, name: parts.at(-1)! }));
      }
      return;
  }
}
