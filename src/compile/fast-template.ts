/**
 * A fast path for the templates nearly every model is made of: text, helper calls with
 * literal arguments, macro partials with literal hashes, plain `{{name}}` lookups and
 * comments. Handlebars spends ~0.25 ms per template parsing and generating JavaScript;
 * this tokenizes in microseconds and calls the very same helper functions with the
 * options Handlebars would pass. Anything unusual returns null so the caller uses
 * Handlebars for the whole template: syntax errors are always Handlebars' to report.
 */
import Handlebars from 'handlebars';

type Literal = string | number | boolean;
type Hash = Record<string, Literal>;
type Helper = Handlebars.HelperDelegate;
interface Pos { line: number; column: number }

export type FastNode =
  | string
  | { kind: 'helper'; name: string; fn: Helper; params: Literal[]; hash: Hash; loc: { start: Pos; end: Pos } }
  | { kind: 'lookup'; name: string }
  | { kind: 'partial'; body: FastNode[]; hash: Hash | undefined };

export interface FastEnv {
  helpers: Readonly<Record<string, Helper | undefined>>;
  /** A registered macro's body if it is itself in the fast subset, else null. */
  partial(name: string): FastNode[] | null;
}

// Built-ins (if, each, log…) expect block options or have side effects; leave them to Handlebars.
const BUILTIN = new Set(Object.keys(Handlebars.create().helpers));
// Words Handlebars lexes as keywords or literals rather than names.
const KEYWORDS = new Set(['true', 'false', 'null', 'undefined', 'else', 'this']);
// Handlebars' own token patterns, so strings and numbers decode exactly as it does; a name must
// end where Handlebars' wider ID pattern would, hence the lookahead.
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?=[\s=]|\}\})/y;
const PARTIAL_NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*(?=\s|\}\})/y;
const WS = /\s*/y;
const VALUE = /"((?:\\"|[^"])*)"|'((?:\\'|[^'])*)'|(-?[0-9]+(?:\.[0-9]+)?|true|false)(?=\s|\}\})/y;
const KEY = /([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/y;

const COMMENT = { kind: 'comment' } as const;
interface Content { kind: 'content'; text: string }
type Item = Exclude<FastNode, string> | Content | typeof COMMENT;

function at(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

/** A quoted literal's text as Handlebars' lexer gives it: `\\"` in "…" (or `\\'` in '…') is the quote. */
const unquote = (text: string, quote: '"' | "'"): string => (text.includes('\\') ? text.replaceAll(`\\${quote}`, quote) : text);

/** Parses a template into fast nodes, or returns null when Handlebars must handle it. */
export function parseFast(text: string, env: FastEnv): FastNode[] | null {
  // NUL and U+2028/9 change how Handlebars' lexer splits text and counts lines.
  if (/[\0\u2028\u2029]/.test(text)) return null;
  const items: Item[] = [];
  let pos = 0, line = 1, column = 0, counted = 0;
  // Line breaks as Handlebars' lexer counts them: \r\n, \r or \n; columns in UTF-16 units.
  const where = (to: number): Pos => {
    for (; counted < to; counted++) {
      const c = text.charCodeAt(counted);
      if (c === 10 || (c === 13 && text.charCodeAt(counted + 1) !== 10)) {
        line++;
        column = 0;
      } else column++;
    }
    return { line, column };
  };
  while (pos < text.length) {
    const open = text.indexOf('{{', pos);
    const end = open < 0 ? text.length : open;
    if (end > pos) items.push({ kind: 'content', text: text.slice(pos, end) });
    if (open < 0) break;
    if (text[open - 1] === '\\') return null; // escaped mustache
    const start = where(open);
    let p = open + 2;
    if (text[p] === '!') {
      // {{!-- … --}} may itself contain }}; its closing -- may overlap the opening one.
      const long = text.startsWith('--', p + 1);
      const close = long ? text.indexOf('--}}', p + 1) : text.indexOf('}}', p + 1);
      if (close < 0 || text[close - 1] === '~' || text.slice(p, close).includes('--~}}')) return null;
      items.push(COMMENT);
      pos = close + (long ? 4 : 2);
      continue;
    }
    const partial = text[p] === '>';
    if (partial) p++;
    p += at(WS, text, p)![0].length;
    const name = at(partial ? PARTIAL_NAME : NAME, text, p)?.[0];
    if (!name || (KEYWORDS.has(name) && (partial || name !== 'this')) || name in {}) return null;
    p += name.length;
    const params: Literal[] = [];
    let hash: Hash | undefined;
    for (;;) {
      const ws = at(WS, text, p)![0].length;
      p += ws;
      if (text.startsWith('}}', p)) break;
      if (ws === 0) return null; // arguments must be separated by whitespace
      const key = at(KEY, text, p);
      if (key && KEYWORDS.has(key[1]!)) return null;
      if (key) p += key[0].length;
      else if (hash || partial) return null; // positional after hash, or a partial's context argument
      const v = at(VALUE, text, p);
      if (!v) return null;
      // Most literals hold no escape: not scanned again by a replace (a tenth of parsing).
      const value = v[1] !== undefined ? unquote(v[1], '"') : v[2] !== undefined ? unquote(v[2], "'")
        : v[3] === 'true' || v[3] === 'false' ? v[3] === 'true' : Number(v[3]);
      p += v[0].length;
      if (key) (hash ??= {})[key[1]!] = value;
      else params.push(value);
    }
    if (text[p + 2] === '}') return null; // }}} closes a triple-stash in Handlebars' lexer
    pos = p + 2;
    const fn = env.helpers[name];
    if (partial) {
      const body = env.partial(name);
      if (!body) return null;
      items.push({ kind: 'partial', body, hash });
    } else if (fn && !BUILTIN.has(name)) {
      items.push({ kind: 'helper', name, fn, params, hash: hash ?? {}, loc: { start, end: where(pos) } });
    } else if (params.length > 0 || hash || fn) {
      return null; // an unknown helper, or a built-in: Handlebars reports or handles it
    } else items.push({ kind: 'lookup', name });
  }
  // A loop, not flatMap (a quarter of parsing, with its array per item).
  const nodes: FastNode[] = [];
  for (const i of items) {
    if (i.kind === 'content') {
      if (i.text) nodes.push(i.text);
    } else if (i.kind !== 'comment') nodes.push(i);
  }
  return nodes;
}

/** Handlebars adds this to helper options (runtime.js wrapHelper); it reads own properties. */
const lookupProperty = (parent: object, name: string): unknown => (Object.hasOwn(parent, name) ? (parent as Record<string, unknown>)[name] : undefined);

/**
 * Renders like Handlebars' generated code, `return '' + (part1 + part2 + …)`: the parts are
 * joined with JavaScript's `+`, so a template starting with two number-valued mustaches adds
 * them ({{a}}{{b}} with 1 and 2 gives "3"). The casts keep that `+`.
 */
export function renderFast(nodes: readonly FastNode[], context: object, data: object): string {
  let out: unknown = '';
  nodes.forEach((n, i) => {
    let v: unknown;
    if (typeof n === 'string') v = n;
    else if (n.kind === 'helper') v = n.fn.call(context, ...n.params, { name: n.name, hash: { ...n.hash }, data, loc: n.loc, lookupProperty });
    // Contexts are plain objects of literals (toString and prototype names fall back), so a
    // property read is what Handlebars' lookupProperty returns.
    else if (n.kind === 'lookup') v = n.name === 'this' ? context : (context as Record<string, unknown>)[n.name];
    else {
      v = renderFast(n.body, n.hash ? { ...context, ...n.hash } : context, data);
    }
    out = i === 0 ? (v ?? '') : (out as string) + ((v ?? '') as string);
  });
  return '' + (out as string);
}

/** A template function with Handlebars' calling convention, or null to use Handlebars. */
export function compileFast(text: string, env: FastEnv): HandlebarsTemplateDelegate | null {
  let nodes = parseFast(text, env);
  if (!nodes) return null;
  // A model renders right after compiling, and maybe again per run. Parsed nodes cost ~2 KB a
  // model (200 MB at 100,000) while parsing again takes microseconds, so they are kept only
  // until first use.
  const template = (context: object, options?: { data?: object }): string => {
    const body = nodes ?? parseFast(text, env)!;
    nodes = null;
    return renderFast(body, context, initData(context, options?.data));
  };
  fastTemplates.add(template);
  return template;
}

const fastTemplates = new WeakSet<object>();
/** Whether compileFast made this template: lets tests prove the fast path was taken. */
export const isFastTemplate = (template: object): boolean => fastTemplates.has(template);

/** Helpers see a frame of the caller's data with `root`, as runtime.js initData makes it. */
function initData(context: object, data: object | undefined): object {
  if (data && 'root' in data) return data;
  return data ? { ...data, _parent: data, root: context } : { root: context };
}
