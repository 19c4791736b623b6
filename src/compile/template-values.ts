/**
 * Values a template can reason about without them leaking into SQL unquoted. A var, an
 * env var, a target field or a loop item is a TemplateValue: written into SQL text it
 * renders as a SQL literal (`'credit_card'`, `3`, `true`); given to a helper (`#each`,
 * `#if`, `eq`, `concat`, `ident`…) the helper sees the plain value. Only `raw` turns a
 * value into SQL text as it is, so unquoted text is always asked for by name.
 */
import type Handlebars from 'handlebars';
import { quoteIdent, sqlLiteral } from '../engine/quote.ts';

export class TemplateValue {
  constructor(
    readonly value: unknown,
    /** Called when the value cannot be a SQL literal (an object written into SQL text). */
    private readonly report: (message: string) => void = () => {},
  ) {}

  /** How Handlebars writes it into SQL: always as a literal. */
  toString(): string {
    try {
      return sqlLiteral(this.value);
    } catch (err) {
      this.report(`${(err as Error).message}: use it in {{#each}} or {{lookup}}, or render a field of it`);
      return 'null';
    }
  }

  child(value: unknown): TemplateValue {
    return new TemplateValue(value, this.report);
  }
}

export const unwrap = (v: unknown): unknown => (v instanceof TemplateValue ? v.value : v);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof TemplateValue) && Object.getPrototypeOf(v) === Object.prototype;

/** dbt/Jinja truthiness, which is also Handlebars' minus the empty object: false, 0, "", null and [] are false. */
export function truthy(v: unknown): boolean {
  const x = unwrap(v);
  return Array.isArray(x) ? x.length > 0 : Boolean(x);
}

/** A mapping as a block's context: `{{name}}` inside finds its fields, each still a TemplateValue. */
function contextOf(c: unknown): unknown {
  if (!(c instanceof TemplateValue) || !isPlainObject(c.value)) return c;
  return Object.fromEntries(Object.entries(c.value).map(([k, v]) => [k, c.child(v)]));
}

/**
 * A template mistake, thrown so the render stops; the ` - line:col` tail is how
 * templateDiagnostic finds the position of an error a helper throws.
 */
function mistake(options: unknown, message: string): Error {
  const loc = (options as { loc?: { start: { line: number; column: number } } } | undefined)?.loc;
  return new Error(loc ? `${message} - ${loc.start.line}:${loc.start.column}` : message);
}

type Options = Handlebars.HelperOptions & { data?: Record<string, unknown>; blockParams?: unknown };

/** Helper functions by name; `hb` is the instance whose built-ins (if, with) they wrap. */
export function logicHelpers(hb: typeof Handlebars): Record<string, Handlebars.HelperDelegate> {
  const args = (a: unknown[]): unknown[] => a.slice(0, -1).map(unwrap);
  const compare = (name: string, test: (a: never, b: never) => boolean) =>
    function (...a: unknown[]): boolean {
      const [x, y] = args(a);
      if (a.length !== 3) throw mistake(a.at(-1), `\`${name}\` compares two values, e.g. (${name} (var "x") 3)`);
      return test(x as never, y as never);
    };

  /** Loops over a list or a mapping; items stay TemplateValues, @key too (it came from the user). */
  function each(this: unknown, context: unknown, options: Options): string {
    if (arguments.length !== 2) throw mistake(arguments[arguments.length - 1], '`#each` takes one list, e.g. {{#each (var "payment_methods")}}');
    const value = unwrap(context);
    const wrap = (v: unknown): unknown => (context instanceof TemplateValue ? context.child(v) : v);
    const entries: [unknown, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : isPlainObject(value)
        ? Object.entries(value).map(([k, v]) => [wrap(k), v])
        : [];
    if (entries.length === 0) return options.inverse(this);
    let out = '';
    entries.forEach(([key, item], index) => {
      const data = { ...(options.data ?? {}), key, index, first: index === 0, last: index === entries.length - 1 };
      const itemValue = wrap(item);
      out += options.fn(contextOf(itemValue), { data: hb.createFrame(data), blockParams: [itemValue, key] });
    });
    return out;
  }

  return {
    each,
    if: function (this: unknown, c: unknown, options: Options) {
      return truthy(c) ? options.fn(this) : options.inverse(this);
    },
    unless: function (this: unknown, c: unknown, options: Options) {
      return truthy(c) ? options.inverse(this) : options.fn(this);
    },
    with: function (this: unknown, c: unknown, options: Options) {
      return truthy(c) ? options.fn(contextOf(c)) : options.inverse(this);
    },
    lookup: function (obj: unknown, key: unknown) {
      const o = unwrap(obj);
      const k = unwrap(key);
      if ((typeof k !== 'string' && typeof k !== 'number') || typeof o !== 'object' || o === null) return undefined;
      const v = Object.hasOwn(o, k) ? (o as Record<string | number, unknown>)[k] : undefined;
      return obj instanceof TemplateValue ? obj.child(v) : v;
    },
    eq: compare('eq', (a, b) => a === b),
    ne: compare('ne', (a, b) => a !== b),
    lt: compare('lt', (a, b) => a < b),
    le: compare('le', (a, b) => a <= b),
    gt: compare('gt', (a, b) => a > b),
    ge: compare('ge', (a, b) => a >= b),
    and: (...a: unknown[]) => a.length > 1 && a.slice(0, -1).every(truthy),
    or: (...a: unknown[]) => a.slice(0, -1).some(truthy),
    not: (...a: unknown[]) => {
      if (a.length !== 2) throw mistake(a.at(-1), '`not` takes one value, e.g. (not (var "flag"))');
      return !truthy(a[0]);
    },
    /** Joins values into one text value: (concat this "_amount"); still a literal when rendered. */
    concat: (...a: unknown[]) => new TemplateValue(args(a).map((v) => (v === null || v === undefined ? '' : String(v))).join('')),
    /** A value as a SQL literal even where it would otherwise be SQL text (a macro argument). */
    literal: (...a: unknown[]) => {
      if (a.length !== 2) throw mistake(a.at(-1), '`literal` takes one value, e.g. {{literal name}}');
      return sqlLiteral(args(a)[0]);
    },
    /** Values as a quoted (and dotted) identifier: {{ident "order"}}, {{ident (concat this "_amount")}}. */
    ident: (...a: unknown[]) => {
      const parts = args(a);
      if (parts.length === 0) throw mistake(a.at(-1), '`ident` takes a name, e.g. {{ident "order"}}');
      return parts.map((p) => quoteIdent(String(p))).join('.');
    },
    /** The one way to write a value into SQL as it is: {{raw (var "sql_filter")}}. */
    raw: (...a: unknown[]) => {
      if (a.length !== 2) throw mistake(a.at(-1), '`raw` takes one value, e.g. {{raw (var "where_clause")}}');
      const v = args(a)[0];
      return Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '' : String(v);
    },
  };
}
