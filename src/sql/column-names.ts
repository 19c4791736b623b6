/**
 * The name PostgreSQL gives a select-list item without `AS` (FigureColname in
 * parse_target.c), and the few result types that hold whatever the inputs are.
 */
import type { A_Const, A_Expr, FuncCall, Node, SQLValueFunction } from 'libpg-query';

type Body = Record<string, unknown>;

/** The node's tag and body: `{ColumnRef: {...}}` → ['ColumnRef', {...}]. */
export function unwrap(node: unknown): [string, Body] {
  for (const key in node as Body) return [key, (node as Record<string, Body>)[key]!];
  return ['', {}];
}

export const stringOf = (node: unknown): string | undefined => (node as { String?: { sval?: string } }).String?.sval;

const SVF: Record<string, [string, string | undefined]> = {
  SVFOP_CURRENT_DATE: ['current_date', 'date'],
  SVFOP_CURRENT_TIME: ['current_time', 'time with time zone'],
  SVFOP_CURRENT_TIME_N: ['current_time', undefined],
  SVFOP_CURRENT_TIMESTAMP: ['current_timestamp', 'timestamp with time zone'],
  SVFOP_CURRENT_TIMESTAMP_N: ['current_timestamp', undefined],
  SVFOP_LOCALTIME: ['localtime', 'time without time zone'],
  SVFOP_LOCALTIME_N: ['localtime', undefined],
  SVFOP_LOCALTIMESTAMP: ['localtimestamp', 'timestamp without time zone'],
  SVFOP_LOCALTIMESTAMP_N: ['localtimestamp', undefined],
  SVFOP_CURRENT_ROLE: ['current_role', 'name'],
  SVFOP_CURRENT_USER: ['current_user', 'name'],
  SVFOP_USER: ['user', 'name'],
  SVFOP_SESSION_USER: ['session_user', 'name'],
  SVFOP_CURRENT_CATALOG: ['current_catalog', 'name'],
  SVFOP_CURRENT_SCHEMA: ['current_schema', 'name'],
};

const XML_NAMES: Record<string, string> = {
  IS_XMLCONCAT: 'xmlconcat', IS_XMLELEMENT: 'xmlelement', IS_XMLFOREST: 'xmlforest', IS_XMLPARSE: 'xmlparse',
  IS_XMLPI: 'xmlpi', IS_XMLROOT: 'xmlroot', IS_XMLSERIALIZE: 'xmlserialize', IS_DOCUMENT: '?column?',
};
const JSON_NAMES: Record<string, string> = {
  JsonParseExpr: 'json', JsonScalarExpr: 'json_scalar', JsonSerializeExpr: 'json_serialize',
  JsonObjectConstructor: 'json_object', JsonArrayConstructor: 'json_array', JsonArrayQueryConstructor: 'json_array',
  JsonObjectAgg: 'json_objectagg', JsonArrayAgg: 'json_arrayagg',
};
const JSON_FUNC: Record<string, string> = { JSON_EXISTS_OP: 'json_exists', JSON_QUERY_OP: 'json_query', JSON_VALUE_OP: 'json_value' };

/**
 * [name, strength] as FigureColnameInternal returns them: 2 for a name taken from the
 * expression, 1 for a fallback (a type name, `case`), 0 for none. `subqueryName` gives
 * the first output column of a scalar subquery, which only the analysis knows.
 */
function figure(node: unknown, subqueryName: (sublink: Body) => string | undefined): [string | undefined, number] {
  if (!node) return [undefined, 0];
  const [tag, b] = unwrap(node);
  switch (tag) {
    case 'ColumnRef': {
      // the last name, ignoring a `*`: `t.*::text` is named t
      const name = (b.fields as Node[]).map(stringOf).filter((n) => n !== undefined).at(-1);
      return name === undefined ? [undefined, 0] : [name, 2];
    }
    case 'A_Indirection': {
      const name = stringOf((b.indirection as Node[]).at(-1));
      return name !== undefined ? [name, 2] : figure(b.arg, subqueryName);
    }
    case 'FuncCall':
      return [stringOf((b as FuncCall).funcname!.at(-1)), 2];
    case 'A_Expr':
      return (b as A_Expr).kind === 'AEXPR_NULLIF' ? ['nullif', 2] : [undefined, 0];
    case 'TypeCast': {
      const inner = figure(b.arg, subqueryName);
      if (inner[1] > 1) return inner;
      return [stringOf((b.typeName as { names: Node[] }).names.at(-1)), 1];
    }
    case 'CollateClause':
      return figure(b.arg, subqueryName);
    case 'GroupingFunc':
      return ['grouping', 2];
    case 'MergeSupportFunc':
      return ['merge_action', 2];
    case 'SubLink': {
      const type = b.subLinkType as string;
      if (type === 'EXISTS_SUBLINK') return ['exists', 2];
      if (type === 'ARRAY_SUBLINK') return ['array', 2];
      if (type === 'EXPR_SUBLINK' || type === 'MULTIEXPR_SUBLINK') {
        const name = subqueryName(b);
        return name === undefined ? [undefined, 0] : [name, 2];
      }
      return [undefined, 0];
    }
    case 'CaseExpr': {
      const inner = figure(b.defresult, subqueryName);
      return inner[1] > 1 ? inner : ['case', 1];
    }
    case 'A_ArrayExpr':
      return ['array', 2];
    case 'RowExpr':
      return ['row', 2];
    case 'CoalesceExpr':
      return ['coalesce', 2];
    case 'MinMaxExpr':
      return [b.op === 'IS_GREATEST' ? 'greatest' : 'least', 2];
    case 'SQLValueFunction':
      return [SVF[(b as SQLValueFunction).op!]?.[0], 2];
    case 'XmlExpr': {
      const name = XML_NAMES[b.op as string];
      return name && name !== '?column?' ? [name, 2] : [undefined, 0];
    }
    case 'XmlSerialize':
      return ['xmlserialize', 2];
    case 'JsonFuncExpr':
      return [JSON_FUNC[b.op as string], 2];
    default:
      return tag in JSON_NAMES ? [JSON_NAMES[tag], 2] : [undefined, 0];
  }
}

export function figureColname(node: unknown, subqueryName: (sublink: Body) => string | undefined): string {
  return figure(node, subqueryName)[0] ?? '?column?';
}

/** The type PostgreSQL gives a constant in a select list (an untyped string becomes text). */
export function constType(c: A_Const): string | undefined {
  if (c.isnull || c.sval !== undefined) return 'text';
  if (c.ival !== undefined) return 'integer';
  if (c.boolval !== undefined) return 'boolean';
  if (c.fval !== undefined) {
    const text = c.fval.fval ?? '';
    if (!/^\d+$/.test(text)) return 'numeric';
    return BigInt(text) <= 9223372036854775807n ? 'bigint' : 'numeric';
  }
  return undefined;
}

export const sqlValueFunctionType = (op: string | undefined): string | undefined => (op ? SVF[op]?.[1] : undefined);

/** Functions whose result type never depends on their arguments. */
export const FIXED_RESULT: Record<string, string> = {
  count: 'bigint', row_number: 'bigint', rank: 'bigint', dense_rank: 'bigint', ntile: 'integer',
  percent_rank: 'double precision', cume_dist: 'double precision', now: 'timestamp with time zone',
  concat: 'text', concat_ws: 'text', format: 'text',
};

const COMPARISONS = new Set(['=', '<>', '<', '>', '<=', '>=']);
const BOOLEAN_KINDS = new Set([
  'AEXPR_OP_ANY', 'AEXPR_OP_ALL', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_IN', 'AEXPR_LIKE', 'AEXPR_ILIKE',
  'AEXPR_SIMILAR', 'AEXPR_BETWEEN', 'AEXPR_NOT_BETWEEN', 'AEXPR_BETWEEN_SYM', 'AEXPR_NOT_BETWEEN_SYM',
]);

/** Whether an operator expression is a comparison or a predicate, hence boolean. */
export function isPredicate(e: A_Expr): boolean {
  if (BOOLEAN_KINDS.has(e.kind!)) return true;
  return e.kind === 'AEXPR_OP' && e.lexpr !== undefined && e.name?.length === 1 && COMPARISONS.has(stringOf(e.name[0]) ?? '');
}
