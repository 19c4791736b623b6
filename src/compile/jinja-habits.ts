/**
 * dbt users write Jinja out of habit. Handlebars would answer `{{ ref('x') }}` with parser
 * tokens or a missing helper `x`; this finds the Jinja forms first and says what to write
 * instead, so the message teaches the translation.
 */
export interface JinjaHabit {
  line: number;
  column: number;
  message: string;
}

const STATEMENTS =
  'for|endfor|if|elif|else|endif|set|endset|macro|endmacro|call|endcall|do|raw|endraw|block|endblock|filter|endfilter|snapshot|endsnapshot|test|endtest|docs|enddocs';
const STATEMENT = new RegExp(`\\{%-?\\s*(${STATEMENTS})\\b(.*?)-?%\\}`, 'gs');
const CALL = /\{\{-?\s*([A-Za-z_][A-Za-z0-9_.]*)\(((?:'[^']*'|"[^"]*"|\([^()]*\)|[^)'"])*)\)\s*(\|[^}]*)?-?\}\}/g;
const FILTER = /\{\{-?\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\|\s*([A-Za-z_]\w*)[^}]*\}\}/g;
const COMMENT = /\{#.*?#\}/gs;

/** Splits `'a', k='b', 3` at commas outside quotes. */
function splitArgs(text: string): string[] {
  return (text.match(/(?:'[^']*'|"[^"]*"|[^,'"])+/g) ?? []).map((s) => s.trim()).filter(Boolean);
}

/** One Jinja argument in Handlebars form: `'x'` → `"x"`, `k='v'` → `k="v"`, a Jinja call → a subexpression. */
function argument(arg: string): string {
  const kw = /^([A-Za-z_]\w*)\s*=\s*(.*)$/s.exec(arg);
  if (kw) return `${kw[1]}=${argument(kw[2]!)}`;
  const single = /^'([^']*)'$/.exec(arg);
  if (single) return JSON.stringify(single[1]);
  const call = /^([A-Za-z_]\w*)\((.*)\)$/s.exec(arg);
  if (call) return `(${[call[1], ...splitArgs(call[2]!).map(argument)].join(' ')})`;
  return arg;
}

/** A Jinja expression (a condition, a list) as a Handlebars subexpression, best effort. */
function expression(expr: string): string {
  const e = expr.trim();
  const cmp = /^(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(e);
  if (cmp) {
    const op = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' }[cmp[2]!]!;
    return `(${op} ${expression(cmp[1]!)} ${expression(cmp[3]!)})`;
  }
  if (/^not\s+/.test(e)) return `(not ${expression(e.replace(/^not\s+/, ''))})`;
  if (/^[A-Za-z_]\w*$/.test(e) && !['true', 'false', 'none'].includes(e)) return `(var "${e}")`;
  return argument(e);
}

function statementHint(keyword: string, rest: string): string {
  const r = rest.trim();
  switch (keyword) {
    case 'for': {
      const m = /^([A-Za-z_]\w*)\s+in\s+(.+)$/s.exec(r);
      return m ? `{{#each ${expression(m[2]!)} as |${m[1]}|}} … {{/each}}` : '{{#each (var "list") as |item|}} … {{/each}}';
    }
    case 'if':
      return `{{#if ${expression(r)}}} … {{/if}}`;
    case 'elif':
      return `{{else if ${expression(r)}}}`;
    case 'else':
      return '{{else}}';
    case 'endfor':
      return '{{/each}}';
    case 'endif':
      return '{{/if}}';
    case 'set':
      return 'a value under `vars:` in project.yaml, read with {{var "name"}} (templates have no assignments)';
    case 'macro':
      return 'a file macros/<name>.sql declaring {{params "arg"}}, called as {{> name arg="…"}}';
    default:
      return `no equivalent of {% ${keyword} %}: see "Coming from dbt" in the README`;
  }
}

function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split(/\r\n|\r|\n/).length;
  return { line, column: index - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) };
}

const LEAD = 'Jinja syntax: strata templates are Handlebars:';

/** Every Jinja form in a template, with the Handlebars to write instead. */
export function findJinjaHabits(text: string): JinjaHabit[] {
  if (!text.includes('{%') && !text.includes('{#') && !/\{\{[^}]*(\(|\|)/.test(text)) return [];
  // Handlebars comments may quote Jinja (as ported models do): blanked, keeping positions.
  text = text.replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, (c) => c.replace(/[^\r\n]/g, ' '));
  const found: (JinjaHabit & { index: number })[] = [];
  const add = (index: number, message: string): void => {
    found.push({ index, ...position(text, index), message });
  };
  for (const m of text.matchAll(STATEMENT)) {
    add(m.index, `${LEAD} write ${statementHint(m[1]!, m[2]!)} instead of ${m[0].replace(/\s+/g, ' ')}`);
  }
  for (const m of text.matchAll(CALL)) {
    if (m[1]!.includes('.')) {
      add(m.index, `${LEAD} package macros such as \`${m[1]}\` are not available; write the SQL, or a macro in macros/ called as {{> name arg="…"}}`);
      continue;
    }
    const hint = `{{${[m[1]!, ...splitArgs(m[2]!).map(argument)].join(' ')}}}`.replace('{{is_incremental}}', '{{#if (is_incremental)}} … {{/if}}');
    add(m.index, `${LEAD} write ${hint} instead of ${m[0]}${m[3] ? ' (Jinja filters do not exist here)' : ''}`);
  }
  for (const m of text.matchAll(FILTER)) {
    if (found.some((f) => f.index === m.index)) continue;
    add(m.index, `${LEAD} Jinja filters such as \`| ${m[2]}\` do not exist; use a helper (e.g. {{ident …}}, {{concat …}}) or SQL`);
  }
  for (const m of text.matchAll(COMMENT)) add(m.index, `${LEAD} write {{!-- … --}} for a comment instead of {# … #}`);
  return found.sort((a, b) => a.index - b.index).map(({ line, column, message }) => ({ line, column, message }));
}
