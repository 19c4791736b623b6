import type { CompiledProject } from '../compile/compile.ts';
import { refMarker } from '../compile/placeholders.ts';
import { quoteIdent } from '../engine/quote.ts';

const cteName = (model: string): string => quoteIdent(`__strata_cte__${model}`);

/** Leading comments and whitespace, then `with` (and `recursive`), case-insensitive. */
const LEADING_WITH = /^((?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*)with(\s+recursive)?\b/i;

const ephemeralsIn = new WeakMap<CompiledProject, boolean>();
function hasEphemerals(compiled: CompiledProject): boolean {
  let found = ephemeralsIn.get(compiled);
  if (found === undefined) ephemeralsIn.set(compiled, (found = [...compiled.models.values()].some((m) => m.config.materialized === 'ephemeral')));
  return found;
}

/**
 * Ephemeral models are never built: every model that refs one gets it as a CTE, as dbt
 * does. Their own ephemeral refs are collected first, so each CTE sees the ones it needs.
 */
export function inlineEphemerals(compiled: CompiledProject, sql: string): string {
  // Most projects have none: then no model's refs need looking at (10,000 models: ≈80 ms).
  if (!hasEphemerals(compiled)) return sql;
  const ephemeral = (name: string): boolean => compiled.models.get(name)?.config.materialized === 'ephemeral';
  const ordered: string[] = [];
  const visit = (text: string): void => {
    for (const [, name] of text.matchAll(/\u0001ref:([^\u0001]*)\u0001/g)) {
      if (!ephemeral(name!) || ordered.includes(name!)) continue;
      visit(compiled.models.get(name!)!.sql);
      ordered.push(name!);
    }
  };
  visit(sql);
  if (ordered.length === 0) return sql;

  const swap = (text: string): string => ordered.reduce((t, name) => t.replaceAll(refMarker(name), cteName(name)), text);
  const ctes = ordered.map((name) => `${cteName(name)} as (\n${swap(compiled.models.get(name)!.sql)}\n)`).join(',\n');
  const body = swap(sql);
  const lead = LEADING_WITH.exec(body);
  if (lead) {
    const recursive = lead[2] ? ' recursive' : '';
    return `${lead[1]}with${recursive} ${ctes},\n${body.slice(lead[0].length).trimStart()}`;
  }
  return `with ${ctes}\n${body}`;
}
