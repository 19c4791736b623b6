/**
 * Model contracts (dbt's `contract: {enforced: true}`): the columns a model publishes, with
 * their types and `not null`, declared in schema.yml. Checked twice: at compile time against
 * the columns the SQL analysis knows (names, and types where certain), and at build time
 * against what the model really produced in its staging schema, before anything is
 * published. Types are compared in `format_type`'s spelling, so `int8`, `bigint` and
 * `BIGINT` are one type.
 */
import type { TypeName } from 'libpg-query';
import { parseSqlOrError } from '../sql/parser.ts';
import type { Diagnostic } from '../core/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { quoteIdent, sqlLiteral } from '../engine/quote.ts';
import type { ModelDoc } from '../project/types.ts';
import type { OutputColumn } from '../sql/analyze.ts';
import { formatTypeName } from '../sql/type-names.ts';

/** A model that broke its contract: reported as the model's error, the batch is not published. */
export class ContractError extends Error {
  override name = 'ContractError';
}

export interface ContractColumn {
  name: string;
  /** As written in schema.yml. */
  written: string;
  /** In format_type's spelling, when strata can name it; else compared as written, lower-cased. */
  type: string;
  notNull: boolean;
}

export interface Contract {
  columns: ContractColumn[];
}

/** The type `written` names, as format_type prints it; undefined when it is not a type at all. */
export function canonicalType(written: string): string | undefined {
  const parsed = parseSqlOrError(`select null::${written}`);
  if (parsed instanceof Error) return undefined;
  const stmts = parsed.stmts ?? [];
  const target = (stmts[0]?.stmt as { SelectStmt?: { targetList?: { ResTarget?: { val?: { TypeCast?: { typeName?: TypeName } } } }[] } } | undefined)
    ?.SelectStmt?.targetList;
  const typeName = stmts.length === 1 && target?.length === 1 ? target[0]?.ResTarget?.val?.TypeCast?.typeName : undefined;
  if (!typeName) return undefined;
  return formatTypeName(typeName) ?? written.trim().toLowerCase().replace(/\s+/g, ' ');
}

/**
 * The enforced contract of a documented model, with the problems of its declaration
 * (a column without data_type, a type that does not parse) as diagnostics.
 */
export function modelContract(model: string, doc: ModelDoc | undefined, problems: Diagnostic[]): Contract | null {
  if (!doc?.contract) return null;
  const columns: ContractColumn[] = [];
  for (const c of doc.columns) {
    const where = { file: doc.file, ...(c.line !== undefined ? { line: c.line } : {}), node: model };
    if (!c.dataType) {
      problems.push({ ...where, message: `contract of \`${model}\`: column \`${c.name}\` needs a data_type (the contract is enforced)` });
      continue;
    }
    const type = canonicalType(c.dataType);
    if (!type) {
      problems.push({ ...where, message: `contract of \`${model}\`: column \`${c.name}\`: \`${c.dataType}\` is not a type` });
      continue;
    }
    columns.push({ name: c.name, written: c.dataType, type, notNull: c.notNull === true });
  }
  if (doc.columns.length === 0) problems.push({ file: doc.file, ...(doc.line !== undefined ? { line: doc.line } : {}), node: model, message: `contract of \`${model}\` is enforced but declares no columns` });
  return { columns };
}

/** What differs between the contract and a model's columns (names and types). */
export function columnMismatches(contract: Contract, actual: readonly { name: string; type?: string | undefined }[]): string[] {
  const out: string[] = [];
  const have = new Map(actual.map((c) => [c.name, c]));
  const declared = new Set(contract.columns.map((c) => c.name));
  for (const c of contract.columns) {
    const a = have.get(c.name);
    if (!a) out.push(`column \`${c.name}\` (${c.written}) is missing`);
    else if (a.type !== undefined && a.type !== c.type) out.push(`column \`${c.name}\`: expected ${c.type}, found ${a.type}`);
  }
  for (const a of actual) if (!declared.has(a.name)) out.push(`column \`${a.name}\`${a.type ? ` (${a.type})` : ''} is produced but not in the contract`);
  return out;
}

/** Compile time: the contract against the columns the SQL analysis knows. */
export function contractAtCompile(model: string, doc: ModelDoc, contract: Contract, columns: readonly OutputColumn[] | null): Diagnostic[] {
  if (!columns) return [];
  return columnMismatches(contract, columns).map((m) => ({
    file: doc.file, ...(doc.line !== undefined ? { line: doc.line } : {}), node: model, message: `contract of \`${model}\` not met: ${m}`,
  }));
}

/**
 * Build time: the relation as built (in its staging schema) against the contract. Returns
 * the problems, empty when the contract holds.
 */
export async function contractAtBuild(engine: Engine, relation: string, contract: Contract): Promise<string[]> {
  const { rows } = await engine.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
     where attrelid = ${sqlLiteral(relation)}::regclass and attnum > 0 and not attisdropped order by attnum`,
  );
  const out = columnMismatches(contract, rows);
  const notNull = contract.columns.filter((c) => c.notNull && rows.some((r) => r.name === c.name));
  if (notNull.length > 0) {
    const counts = notNull.map((c, i) => `count(*) filter (where ${quoteIdent(c.name)} is null) as n${i}`).join(', ');
    const { rows: [nulls] } = await engine.query<Record<string, string | number>>(`select ${counts} from ${relation}`);
    notNull.forEach((c, i) => {
      const n = Number(nulls?.[`n${i}`] ?? 0);
      if (n > 0) out.push(`column \`${c.name}\` is declared not null but has ${n} null row${n === 1 ? '' : 's'}`);
    });
  }
  return out;
}
