import Handlebars from 'handlebars';
import type { Diagnostic } from '../core/errors.ts';
import { didYouMean } from '../core/suggest.ts';
import { qualify, sqlLiteral } from '../engine/quote.ts';
import type { ProjectConfig, SourceFile } from '../project/types.ts';
import { compileFast, parseFast, type FastEnv, type FastNode } from './fast-template.ts';
import { findJinjaHabits } from './jinja-habits.ts';
import { checkMacroCalls, declaredParams, type MacroParams } from './macro-params.ts';
import { logicHelpers, TemplateValue } from './template-values.ts';
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
  /** SQL literals of secret-looking env vars this template rendered: masked in artifacts. */
  masked: string[];
}

interface HelperOptions {
  hash: Record<string, unknown>;
  data: { strata: RenderState; strataFlags: RenderFlags };
  loc?: { start: { line: number; column: number } };
}

export interface RenderFlags {
  isIncremental: boolean;
  batchId: string;
  /** `{{target.schema}}`: the schema the rendered model is published in. */
  schema?: string;
}

/** What `{{target.name}}` and `{{target.engine}}` say. */
export interface TemplateTarget {
  /** $STRATA_TARGET_NAME, else `dev`: the dbt habit of naming environments. */
  name: string;
  engine: 'postgres' | 'pglite';
}

export interface RenderEnv {
  /** Names `ref` may point at (models and seeds). */
  refTargets: ReadonlySet<string>;
  config: ProjectConfig;
  /** What `env_var` reads (the process environment over .env); process.env when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  target?: TemplateTarget;
}

/** Env var names whose values are never written to artifacts (dbt masks DBT_ENV_SECRET_*). */
export const SECRET_ENV_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|_URL$/i;

// `severity` is for singular tests; the rest configure models.
/**
 * SQL, not HTML: nothing is escaped. Handlebars' "standalone" rule (a partial alone on its
 * line swallows that line's newline) would glue a macro's last line to the next SQL line,
 * so it is off: what is written on a line stays on that line.
 */
const PARSE = { ignoreStandalone: true };
const COMPILE = { noEscape: true, strict: false, ignoreStandalone: true };

const CONFIG_KEYS = ['materialized', 'unique_key', 'keys_from', 'tags', 'indexes', 'settings', 'description', 'export', 'severity', 'strategy', 'updated_at', 'check_cols'];

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
    if (!env.refTargets.has(name)) problem(o, `unknown ref \`${name}\`: no model or seed has that name${didYouMean(name, env.refTargets)}`);
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
    if (args.length > 2) problem(o, '`var` takes a name and an optional default, e.g. {{var "days" 7}}');
    const fallback = args.length > 1 ? args[1] : o.hash.default;
    const value = Object.hasOwn(env.config.vars, name) ? env.config.vars[name] : (fallback instanceof TemplateValue ? fallback.value : fallback);
    if (value === undefined) {
      problem(o, `unknown var \`${name}\`${didYouMean(name, Object.keys(env.config.vars))}: set it under \`vars:\` in project.yaml, pass --vars, or give a default: {{var "${name}" default}}`);
      return 'null';
    }
    return new TemplateValue(value, (message) => problem(o, `var \`${name}\`: ${message}`));
  });

  /** `{{env_var "NAME" "default"}}`: a value from the environment (or .env), as a literal. */
  hb.registerHelper('env_var', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    const name = args[0];
    if (typeof name !== 'string' || args.length > 2) {
      problem(o, '`env_var` takes a name and an optional default, e.g. {{env_var "REGION" "eu"}}');
      return 'null';
    }
    const value = (env.env ?? process.env)[name] ?? (args.length > 1 ? args[1] : o.hash.default);
    if (value === undefined) {
      problem(o, `env var \`${name}\` is not set (and has no default: {{env_var "${name}" "default"}})`);
      return 'null';
    }
    const v = value instanceof TemplateValue ? value.value : value;
    if (SECRET_ENV_NAME.test(name)) {
      try {
        state(o).masked.push(sqlLiteral(v));
      } catch {
        /* not renderable: reported when rendered */
      }
    }
    return new TemplateValue(v, (message) => problem(o, `env var \`${name}\`: ${message}`));
  });

  /** Declares a macro's parameters; checked at every call (macro-params.ts), renders nothing. */
  hb.registerHelper('params', () => '');

  for (const [name, fn] of Object.entries(logicHelpers(hb))) hb.registerHelper(name, fn);

  hb.registerHelper('is_incremental', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    state(o).usedIsIncremental = true;
    return o.data.strataFlags.isIncremental;
  });

  hb.registerHelper('batch_id', function (this: unknown, ...args: unknown[]) {
    const o = args.pop() as HelperOptions;
    return new hb.SafeString(sqlLiteral(o.data.strataFlags.batchId));
  });

  const macroTexts = new Map<string, string>();
  const macroAsts = new Map<string, { file: string; ast: hbs.AST.Program }>();
  const declared = new Map<string, MacroParams>();
  for (const macro of macros) {
    const name = macro.relPath.replace(/^macros\//, '').replace(/\.sql$/, '');
    const text = macro.text.trimEnd();
    const habits = findJinjaHabits(text);
    if (habits.length > 0) {
      diagnostics.push(...habits.map((h) => ({ file: macro.relPath, ...h })));
      continue;
    }
    try {
      // hb.compile alone parses lazily, on first use: a broken macro would then be reported
      // against whichever model used it first, or never.
      const ast = hb.parse(text, PARSE);
      const template = hb.compile(ast, COMPILE);
      const params = declaredParams(ast, macro.relPath, diagnostics);
      if (params) declared.set(name, params);
      const defaults = params?.defaults ?? {};
      // Defaults fill what the call leaves out; the caller's context (with `this`) stays underneath.
      hb.registerPartial(
        name,
        Object.keys(defaults).length === 0
          ? template
          : (ctx: Record<string, unknown>, options?: RuntimeOptions) => template({ ...defaults, ...ctx }, options),
      );
      macroTexts.set(name, text);
      macroAsts.set(name, { file: macro.relPath, ast });
    } catch (err) {
      diagnostics.push(templateDiagnostic(macro.relPath, err));
    }
  }
  for (const { file, ast } of macroAsts.values()) diagnostics.push(...checkMacroCalls(ast, file, declared, { passThrough: true }));

  // Macros are parsed for the fast path on first use; null (also while a macro is being
  // parsed, so a recursive one falls back) sends the calling template to Handlebars.
  const fastMacros = new Map<string, FastNode[] | null>();
  const fastEnv: FastEnv = {
    helpers: hb.helpers,
    partial(name) {
      if (!fastMacros.has(name)) {
        fastMacros.set(name, null);
        const text = macroTexts.get(name);
        // Defaults are filled in by the Handlebars partial only.
        const hasDefaults = Object.keys(declared.get(name)?.defaults ?? {}).length > 0;
        fastMacros.set(name, text === undefined || hasDefaults ? null : parseFast(text, fastEnv));
      }
      return fastMacros.get(name) ?? null;
    },
  };

  /** The context of every template: `{{this}}` renders as the relation being built; `{{target.name}}`. */
  const contextFor = (flags: RenderFlags) => ({
    toString: () => THIS_MARKER,
    target: {
      name: new TemplateValue(env.target?.name ?? 'dev'),
      engine: new TemplateValue(env.target?.engine ?? 'postgres'),
      schema: new TemplateValue(flags.schema ?? null),
    },
  });

  return {
    compile(file: string, text: string): HandlebarsTemplateDelegate | null {
      const habits = findJinjaHabits(text);
      if (habits.length > 0) {
        diagnostics.push(...habits.map((h) => ({ file, ...h })));
        return null;
      }
      if (declared.size > 0 && /\{\{~?>/.test(text)) {
        try {
          const problems = checkMacroCalls(hb.parse(text, PARSE), file, declared, { passThrough: false });
          diagnostics.push(...problems);
          if (problems.length > 0) return null;
        } catch {
          /* a syntax error: reported below */
        }
      }
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
      const s: RenderState = { file, refs: [], sources: [], config: {}, usedIsIncremental: false, diagnostics: [], masked: [] };
      let sql = '';
      try {
        sql = template(contextFor(flags), { data: { strata: s, strataFlags: flags } });
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
  const detail = parse ? `template syntax error: ${message.split('\n').at(-1)}` : `template error: ${tail ? firstLine.replace(/ - \d+:\d+$/, '') : firstLine}`;
  return { file, ...(line !== undefined ? { line } : {}), ...(column !== undefined ? { column } : {}), message: detail };
}
