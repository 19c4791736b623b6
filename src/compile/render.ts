import Handlebars from 'handlebars';
import type { Diagnostic } from '../core/errors.ts';
import { quoteIdent, qualify, sqlLiteral } from '../engine/quote.ts';
import type { ProjectConfig, SourceFile } from '../project/types.ts';
import { compileFast, parseFast, type FastEnv, type FastNode } from './fast-template.ts';
import { refMarker, THIS_MARKER } from './placeholders.ts';

/** What one template's rendering learned: its edges, its config, its problems. */
export interface RenderState {
  file: string;
  refs: string[];
  sources: { source: string; table: string }[];
  config: Record<string, string | boolean | number>;
  configLine?: number;
  usedIsIncremental: boolean;
  diagnostics: Diagnostic[];
}

interface HelperOptions {
  hash: Record<string, unknown>;
  data: { strata: RenderState; strataFlags: RenderFlags };
  loc?: { start: { line: number; column: number } };
}

export interface RenderFlags {
  isIncremental: boolean;
  batchId: string;
}

export interface RenderEnv {
  /** Names `ref` may point at (models and seeds). */
  refTargets: ReadonlySet<string>;
  config: ProjectConfig;
}

// `severity` is for singular tests; the rest configure models.
/**
 * SQL, not HTML: nothing is escaped. Handlebars' "standalone" rule (a partial alone on its
 * line swallows that line's newline) would glue a macro's last line to the next SQL line,
 * so it is off: what is written on a line stays on that line.
 */
const PARSE = { ignoreStandalone: true };
const COMPILE = { noEscape: true, strict: false, ignoreStandalone: true };

const CONFIG_KEYS = ['materialized', 'unique_key', 'tags', 'indexes', 'description', 'export', 'severity'];

/**
 * Builds a Handlebars instance with strata's helpers and the project's macros as
 * partials. Helpers never throw for project mistakes: they record a diagnostic and render
 * a harmless value, so one pass reports every problem of every file.
 */
export function createRenderer(
  env: RenderEnv,
  macros: readonly SourceFile[],
  diagnostics: Diagnostic[],
  /** `fast: false` renders everything through Handlebars: the reference the fast path is tested against. */
  { fast = true }: { fast?: boolean } = {},
) {
  const hb = Handlebars.create();
  const state = (o: HelperOptions): RenderState => o.data.strata;
  const at = (o: HelperOptions): { line?: number; column?: number } =>
    o.loc ? { line: o.loc.start.line, column: o.loc.start.column + 1 } : {};
  const problem = (o: HelperOptions, message: string): void => {
    const s = state(o);
    s.diagnostics.push({ file: s.file, ...at(o), message });
  };
  const sources = new Map(env.config.sources.map((s) => [s.name, s]));

  hb.registerHelper('ref', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    const name = args[0];
    if (typeof name !== 'string' || args.length !== 1) {
      problem(o, '`ref` takes one model or seed name, e.g. {{ref "silver_reviews"}}');
      return '';
    }
    if (!env.refTargets.has(name)) problem(o, `unknown ref \`${name}\`: no model or seed has that name`);
    const s = state(o);
    if (!s.refs.includes(name)) s.refs.push(name);
    return new hb.SafeString(refMarker(name));
  });

  hb.registerHelper('source', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    const [sourceName, table] = args;
    if (typeof sourceName !== 'string' || typeof table !== 'string' || args.length !== 2) {
      problem(o, '`source` takes a source and a table, e.g. {{source "amazon" "review"}}');
      return '';
    }
    const source = sources.get(sourceName);
    if (!source) {
      problem(o, `unknown source \`${sourceName}\` (declared in project.yaml: ${[...sources.keys()].join(', ') || 'none'})`);
    } else if (!source.tables.includes(table)) {
      problem(o, `source \`${sourceName}\` has no table \`${table}\` (tables: ${source.tables.join(', ')})`);
    }
    state(o).sources.push({ source: sourceName, table });
    return new hb.SafeString(qualify(source?.schema ?? sourceName, table));
  });

  hb.registerHelper('config', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    const s = state(o);
    for (const [key, value] of Object.entries(o.hash)) {
      if (!CONFIG_KEYS.includes(key)) {
        problem(o, `unknown config \`${key}\` (expected one of ${CONFIG_KEYS.join(', ')})`);
        continue;
      }
      s.config[key] = value as string | boolean | number;
    }
    if (s.configLine === undefined && o.loc) s.configLine = o.loc.start.line;
    return '';
  });

  hb.registerHelper('var', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    const name = args[0];
    if (typeof name !== 'string') {
      problem(o, '`var` takes a name, e.g. {{var "top_n_reviews"}}');
      return '';
    }
    const value = Object.hasOwn(env.config.vars, name) ? env.config.vars[name] : o.hash.default;
    if (value === undefined) {
      problem(o, `unknown var \`${name}\`: set it under \`vars:\` in project.yaml or pass --vars`);
      return 'null';
    }
    try {
      return new hb.SafeString(sqlLiteral(value));
    } catch (err) {
      problem(o, `var \`${name}\`: ${(err as Error).message}`);
      return 'null';
    }
  });

  hb.registerHelper('is_incremental', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    state(o).usedIsIncremental = true;
    return o.data.strataFlags.isIncremental;
  });

  hb.registerHelper('batch_id', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    return new hb.SafeString(sqlLiteral(o.data.strataFlags.batchId));
  });

  /** An identifier from a var or argument, quoted: {{ident "order"}}. */
  hb.registerHelper('ident', function (this: unknown, ...args: unknown[]) {
    args.pop();
    return new hb.SafeString(args.map((a) => quoteIdent(String(a))).join('.'));
  });

  const macroTexts = new Map<string, string>();
  for (const macro of macros) {
    const name = macro.relPath.replace(/^macros\//, '').replace(/\.sql$/, '');
    const text = macro.text.trimEnd();
    try {
      // hb.compile alone parses lazily, on first use: a broken macro would then be reported
      // against whichever model used it first, or never.
      hb.registerPartial(name, hb.compile(hb.parse(text, PARSE), COMPILE));
      macroTexts.set(name, text);
    } catch (err) {
      diagnostics.push(templateDiagnostic(macro.relPath, err));
    }
  }

  // Macros are parsed for the fast path on first use; null (also while a macro is being
  // parsed, so a recursive one falls back) sends the calling template to Handlebars.
  const fastMacros = new Map<string, FastNode[] | null>();
  const fastEnv: FastEnv = {
    helpers: hb.helpers,
    partial(name) {
      if (!fastMacros.has(name)) {
        fastMacros.set(name, null);
        const text = macroTexts.get(name);
        fastMacros.set(name, text === undefined ? null : parseFast(text, fastEnv));
      }
      return fastMacros.get(name) ?? null;
    },
  };

  /** The context of every template: `{{this}}` renders as the relation being built. */
  const context = { toString: () => THIS_MARKER };

  return {
    compile(file: string, text: string): HandlebarsTemplateDelegate | null {
      const quick = fast ? compileFast(text, fastEnv) : null;
      if (quick) return quick;
      try {
        // Parsing up front surfaces syntax errors now, and compile() reuses the tree.
        return hb.compile(hb.parse(text, PARSE), COMPILE);
      } catch (err) {
        diagnostics.push(templateDiagnostic(file, err));
        return null;
      }
    },
    /** A tree from Handlebars.parse (possibly annotated: compile/template-sites.ts), with this project's helpers and macros. */
    compileAst(ast: hbs.AST.Program): HandlebarsTemplateDelegate {
      return hb.compile(ast, COMPILE);
    },
    render(template: HandlebarsTemplateDelegate, file: string, flags: RenderFlags): { sql: string; state: RenderState } {
      const s: RenderState = { file, refs: [], sources: [], config: {}, usedIsIncremental: false, diagnostics: [] };
      let sql = '';
      try {
        sql = template(context, { data: { strata: s, strataFlags: flags } });
      } catch (err) {
        s.diagnostics.push(templateDiagnostic(file, err));
      }
      return { sql, state: s };
    },
  };
}

export type Renderer = ReturnType<typeof createRenderer>;

/** Handlebars reports positions in three different shapes; this reads them all. */
export function templateDiagnostic(file: string, err: unknown): Diagnostic {
  const e = err as {
    message?: string;
    lineNumber?: number;
    column?: number;
    hash?: { loc?: { first_line: number; first_column: number }; line?: number };
  };
  const message = (e.message ?? String(err)).trim();
  let line = e.lineNumber ?? e.hash?.loc?.first_line;
  let column = e.column !== undefined ? e.column + 1 : e.hash?.loc ? e.hash.loc.first_column + 1 : undefined;
  const parse = /Parse error on line (\d+):\n(.*)\n(-*)\^/.exec(message);
  if (parse) {
    // The message's caret points into a 20-character excerpt with newlines removed; the
    // parser's lexer (one shared instance, and parsing is synchronous) still holds the
    // offending token's real position.
    const at = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number } } } }).Parser?.lexer?.yylloc;
    line = at?.first_line ?? Number(parse[1]);
    column = at ? at.first_column + 1 : (column ?? parse[3]!.length + 1);
  }
  const tail = /- (\d+):(\d+)$/.exec(message);
  if (tail && line === undefined) {
    line = Number(tail[1]);
    column = Number(tail[2]) + 1;
  }
  const firstLine = message.split('\n')[0]!;
  const detail = parse ? `template syntax error: ${message.split('\n').at(-1)}` : `template error: ${firstLine}`;
  return { file, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}), message: detail };
}
