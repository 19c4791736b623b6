/**
 * Macro parameters. A macro may declare them on its first lines:
 *   {{params "num" "den" scale=2}}
 * (positional names are required, `name=default` pairs optional). Every call
 * `{{> macro …}}` in models, tests and macros is then checked before anything renders: an
 * unknown argument (a typo) or a missing required one is a compile error at the call's
 * line, instead of an empty string that fails later as a database syntax error.
 */
import type { Diagnostic } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';

export interface MacroParams {
  required: string[];
  defaults: Record<string, unknown>;
}

interface Loc { start: { line: number; column: number } }
interface Node {
  type: string;
  body?: Node[];
  program?: Node;
  inverse?: Node;
  path?: { original?: unknown };
  name?: { original?: unknown };
  params?: { type: string; value?: unknown; original?: unknown }[];
  hash?: { pairs: { key: string; value: { type: string; value?: unknown } }[] };
  loc?: Loc;
}

function* statements(node: Node | undefined): Generator<Node> {
  if (!node) return;
  for (const s of node.body ?? []) {
    yield s;
    yield* statements(s.program);
    yield* statements(s.inverse);
  }
}

const LITERALS = new Set(['StringLiteral', 'NumberLiteral', 'BooleanLiteral']);

/** The `{{params …}}` declaration of a macro's parsed template, or null when it has none. */
export function declaredParams(ast: unknown, file: string, diagnostics: Diagnostic[]): MacroParams | null {
  let found: MacroParams | null = null;
  for (const s of statements(ast as Node)) {
    if (s.type !== 'MustacheStatement' || s.path?.original !== 'params') continue;
    const at = { file, ...(s.loc ? { line: s.loc.start.line, column: s.loc.start.column + 1 } : {}) };
    if (found) {
      diagnostics.push({ ...at, message: 'a macro declares its {{params}} once' });
      continue;
    }
    const required: string[] = [];
    for (const p of s.params ?? []) {
      if (p.type === 'StringLiteral') required.push(String(p.value));
      else diagnostics.push({ ...at, message: `{{params}} takes parameter names in quotes, e.g. {{params "num" "den" scale=2}}; got ${String(p.original)}` });
    }
    const defaults: Record<string, unknown> = {};
    for (const pair of s.hash?.pairs ?? []) {
      if (LITERALS.has(pair.value.type)) defaults[pair.key] = pair.value.value;
      else diagnostics.push({ ...at, message: `the default of parameter \`${pair.key}\` must be a string, number or boolean` });
    }
    found = { required, defaults };
  }
  return found;
}

/**
 * Checks every macro call of one parsed template against the declarations. `passThrough`:
 * inside a macro, a call without arguments hands the caller's arguments on, so it is not
 * checked.
 */
export function checkMacroCalls(
  ast: unknown,
  file: string,
  declared: ReadonlyMap<string, MacroParams>,
  { passThrough }: { passThrough: boolean },
): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const s of statements(ast as Node)) {
    if (s.type !== 'PartialStatement' && s.type !== 'PartialBlockStatement') continue;
    const name = s.name?.original;
    const params = typeof name === 'string' ? declared.get(name) : undefined;
    if (!params) continue;
    const given = (s.hash?.pairs ?? []).map((p) => p.key);
    if (given.length === 0 && (s.params?.length ?? 0) > 0) continue; // a context argument: {{> m row}}
    if (given.length === 0 && passThrough) continue;
    const at = { file, ...(s.loc ? { line: s.loc.start.line, column: s.loc.start.column + 1 } : {}) };
    const known = [...params.required, ...Object.keys(params.defaults)];
    for (const key of given) {
      if (!known.includes(key)) {
        problems.push({ ...at, message: `macro \`${name}\` has no parameter \`${key}\`${didYouMean(key, known)} (parameters: ${known.join(', ') || 'none'})` });
      }
    }
    const missing = params.required.filter((p) => !given.includes(p));
    if (missing.length > 0) {
      problems.push({ ...at, message: `macro \`${name}\` needs ${missing.map((m) => `${m}="…"`).join(' ')} (declared in macros/${name}.sql)` });
    }
  }
  return problems;
}
