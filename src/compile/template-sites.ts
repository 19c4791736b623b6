/**
 * Maps a position in a model's rendered SQL back to the line and column of the template
 * that wrote it. Only models with a problem need it, so nothing is recorded while compiling:
 * the template is rendered once more with a marker `\u0002id\u0003` before every template
 * statement; stripping the markers again gives, for each stretch of output, the statement
 * (text, helper call, macro, block) it came from. Text maps character for character; the
 * output of a helper or a macro maps to where it is called.
 */
import Handlebars from 'handlebars';

/** 1-based, as editors count. */
export interface TemplatePosition {
  line: number;
  column: number;
}

interface Site {
  line: number;
  /** 0-based, as Handlebars counts. */
  column: number;
  /** For literal text: the text as written, from its start (whitespace control may have trimmed the front). */
  text?: string;
}

const OPEN = '\u0002';
const CLOSE = '\u0003';
const MARKER = /\u0002(\d+)\u0003/g;

type Stmt = hbs.AST.Statement & { loc?: hbs.AST.SourceLocation; program?: hbs.AST.Program; inverse?: hbs.AST.Program };

/** Adds a marker statement before every statement, block bodies included, and records its site. */
function annotate(program: hbs.AST.Program, sites: Site[]): void {
  const body: hbs.AST.Statement[] = [];
  for (const s of program.body as Stmt[]) {
    if (s.loc) {
      const site: Site = { line: s.loc.start.line, column: s.loc.start.column };
      if (s.type === 'ContentStatement') {
        const c = s as unknown as hbs.AST.ContentStatement & { original: string };
        // Whitespace control trims `value`; `original` is what is written at `loc`.
        const skipped = Math.max(0, c.original.indexOf(c.value));
        site.text = c.original;
        site.column = s.loc.start.column;
        sites.push(site);
        body.push(marker(sites.length - 1), s);
        // The value starts `skipped` characters into the original: remember it by a second site.
        if (skipped > 0) sites[sites.length - 1] = advance(site, skipped);
        continue;
      }
      sites.push(site);
      body.push(marker(sites.length - 1));
    }
    if (s.program) annotate(s.program, sites);
    if (s.inverse) annotate(s.inverse, sites);
    body.push(s);
  }
  program.body = body;
}

function marker(id: number): hbs.AST.ContentStatement {
  const value = `${OPEN}${id}${CLOSE}`;
  return { type: 'ContentStatement', value, original: value } as unknown as hbs.AST.ContentStatement;
}

/** The site `n` characters further into a text site. */
function advance(site: Site, n: number): Site {
  const text = site.text!;
  let { line, column } = site;
  for (let i = 0; i < n; i++) {
    if (text[i] === '\n') {
      line++;
      column = 0;
    } else column++;
  }
  return { line, column, text: text.slice(n) };
}

export interface TemplateSites {
  /** The rendered SQL, markers removed: equal to a plain rendering. */
  sql: string;
  /** The template position of a string index into `sql`, or undefined outside any statement. */
  at(index: number): TemplatePosition | undefined;
}

/**
 * Renders `text` with markers and returns the map. `compile` turns the annotated tree into
 * a template with the project's helpers and macros; `render` runs it as compile did.
 */
export function templateSites(
  text: string,
  compile: (ast: hbs.AST.Program) => HandlebarsTemplateDelegate,
  render: (template: HandlebarsTemplateDelegate) => string,
): TemplateSites {
  const ast = Handlebars.parse(text, { ignoreStandalone: true });
  const sites: Site[] = [];
  annotate(ast, sites);
  const marked = render(compile(ast));
  const starts: number[] = [];
  const ids: number[] = [];
  let sql = '';
  let last = 0;
  for (const m of marked.matchAll(MARKER)) {
    sql += marked.slice(last, m.index);
    last = m.index + m[0].length;
    starts.push(sql.length);
    ids.push(Number(m[1]));
  }
  sql += marked.slice(last);
  return {
    sql,
    at(index) {
      // The last segment starting at or before index.
      let lo = 0;
      let hi = starts.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]! <= index) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return undefined;
      const site = sites[ids[found]!]!;
      const into = index - starts[found]!;
      const exact = site.text !== undefined && into < site.text.length ? advance(site, into) : site;
      return { line: exact.line, column: exact.column + 1 };
    },
  };
}

/**
 * The template line and column of an index into `rendered` (a plain rendering of `text`),
 * or undefined when rendering again does not give the same SQL.
 */
export function templatePosition(
  text: string,
  rendered: string,
  index: number,
  compile: (ast: hbs.AST.Program) => HandlebarsTemplateDelegate,
  render: (template: HandlebarsTemplateDelegate) => string,
): TemplatePosition | undefined {
  try {
    const sites = templateSites(text, compile, render);
    if (sites.sql === rendered) return sites.at(index);
    const lead = (s: string): number => s.length - s.trimStart().length;
    if (sites.sql.trim() === rendered.trim()) return sites.at(index - lead(rendered) + lead(sites.sql));
  } catch {
    /* a template Handlebars cannot parse again: no position */
  }
  return undefined;
}
