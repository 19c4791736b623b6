import { basename } from 'node:path';
import type { CompiledProject } from '../compile/compile.ts';
import { refMarker } from '../compile/placeholders.ts';
import type { CompiledTest } from '../compile/types.ts';
import type { Diagnostic } from '../core/errors.ts';
import { quoteIdent, sqlLiteral } from '../engine/quote.ts';
import type { TestSpec } from '../project/types.ts';

/** A dbt-style `ref('x')` or a bare name, as written in `relationships: {to: …}`. */
const refName = (to: string): string => /^ref\(\s*['"]([^'"]+)['"]\s*\)$/.exec(to.trim())?.[1] ?? to.trim();

/** The query selecting the rows that violate one generic test. */
function genericSql(spec: TestSpec, model: string, column: string | undefined): string {
  const sql = failingRows(spec, model, column);
  return spec.config.limit !== undefined ? `${sql} limit ${spec.config.limit}` : sql;
}

function failingRows(spec: TestSpec, model: string, column: string | undefined): string {
  // `where` narrows the model being tested, as dbt's test config does.
  const rel = spec.config.where ? `(select * from ${refMarker(model)} where ${spec.config.where}) as filtered` : refMarker(model);
  const col = column ? quoteIdent(column) : '';
  const a = spec.args;
  switch (spec.kind) {
    case 'unique':
      return `select ${col} as value, count(*) as occurrences from ${rel} where ${col} is not null group by ${col} having count(*) > 1`;
    case 'not_null':
      return `select * from ${rel} where ${col} is null`;
    case 'accepted_values':
      return `select ${col} as value, count(*) as occurrences from ${rel} where ${col} is not null and ${col} not in (${sqlLiteral(a.values)}) group by ${col}`;
    case 'relationships': {
      const field = quoteIdent(String(a.field));
      return (
        `select child.${col} as value from ${rel} as child left join ${refMarker(refName(String(a.to)))} as parent ` +
        `on child.${col} = parent.${field} where child.${col} is not null and parent.${field} is null`
      );
    }
    case 'expression':
      return `select * from ${rel} where not coalesce((${String(a.expr)}), false)`;
    case 'expression_is_true':
      // dbt_utils: a row fails when the expression is false; NULL is not false, so it passes.
      return `select * from ${rel} where not (${column ? `${col} ` : ''}${String(a.expression)})`;
    case 'row_count': {
      const bounds = [a.min !== undefined ? `n < ${sqlLiteral(a.min)}` : '', a.max !== undefined ? `n > ${sqlLiteral(a.max)}` : '']
        .filter(Boolean)
        .join(' or ');
      return `select n as row_count from (select count(*) as n from ${rel}) as counted where ${bounds || 'false'}`;
    }
    default:
      throw new Error(`unknown generic test ${spec.kind}`);
  }
}

/**
 * The same verdict as `genericSql` as one aggregate over the model's rows (true: the test
 * fails), so several tests of a model share one scan. Tests that join or group have none.
 */
function sharedVerdict(spec: TestSpec, column: string | undefined): string | undefined {
  const col = column ? quoteIdent(column) : '';
  const a = spec.args;
  const anyRow = (failing: string): string => `coalesce(bool_or(${failing}), false)`;
  switch (spec.kind) {
    case 'not_null':
      return anyRow(`${col} is null`);
    case 'accepted_values':
      return anyRow(`${col} is not null and ${col} not in (${sqlLiteral(a.values)})`);
    case 'expression':
      return anyRow(`not coalesce((${String(a.expr)}), false)`);
    case 'row_count': {
      const bounds = [a.min !== undefined ? `count(*) < ${sqlLiteral(a.min)}` : '', a.max !== undefined ? `count(*) > ${sqlLiteral(a.max)}` : '']
        .filter(Boolean)
        .join(' or ');
      return `coalesce(${bounds || 'false'}, false)`;
    }
    default:
      return undefined;
  }
}

function slug(spec: TestSpec, column: string | undefined): string {
  const extra = spec.kind === 'relationships' ? `_to_${refName(String(spec.args.to))}` : '';
  return [spec.kind, column, extra.slice(1)].filter(Boolean).join('_');
}

/** Generic tests from schema.yml and singular tests from tests/*.sql, as failing-row queries. */
export function compileTests(compiled: CompiledProject, batchId: string): { tests: CompiledTest[]; diagnostics: Diagnostic[] } {
  const { project, models, seeds, renderer } = compiled;
  const diagnostics: Diagnostic[] = [];
  const tests: CompiledTest[] = [];
  const names = new Map<string, number>();
  const uniqueName = (base: string): string => {
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  };
  const refTargets = (name: string): boolean => models.has(name) || seeds.has(name);

  for (const [model, doc] of project.docs) {
    if (!models.has(model)) continue;
    const specs = [
      ...doc.tests.map((spec) => ({ spec, column: undefined as string | undefined })),
      ...doc.columns.flatMap((c) => c.tests.map((spec) => ({ spec, column: c.name as string | undefined }))),
    ];
    for (const { spec, column } of specs) {
      const refs = [model];
      if (spec.kind === 'relationships') {
        const to = refName(String(spec.args.to));
        if (!refTargets(to)) {
          diagnostics.push({ file: spec.file, line: spec.line, node: model, message: `relationships test points to \`${to}\`, which is no model or seed` });
          continue;
        }
        refs.push(to);
      }
      if (!column && ['unique', 'not_null', 'accepted_values', 'relationships'].includes(spec.kind)) {
        diagnostics.push({ file: spec.file, line: spec.line, node: model, message: `\`${spec.kind}\` is a column test: put it under a column` });
        continue;
      }
      // A test narrowed by `where` reads another row set than its model's: it keeps its own scan.
      const failsWhen = spec.config.where ? undefined : sharedVerdict(spec, column);
      tests.push({
        name: uniqueName(spec.name ?? `${model}__${slug(spec, column)}`),
        model,
        refs,
        kind: spec.kind,
        severity: spec.severity,
        sql: genericSql(spec, model, column),
        ...(failsWhen ? { failsWhen } : {}),
        file: spec.file,
        ...(spec.line !== undefined ? { line: spec.line } : {}),
        ...(column ? { column } : {}),
        ...(spec.config.warnIf ? { warnIf: spec.config.warnIf } : {}),
        ...(spec.config.errorIf ? { errorIf: spec.config.errorIf } : {}),
        ...(spec.config.storeFailures === false ? { storeFailures: false } : {}),
      });
    }
  }

  for (const file of project.singularTests) {
    const template = renderer.compile(file.relPath, file.text);
    if (!template) continue;
    const { sql, state } = renderer.render(template, file.relPath, { isIncremental: false, batchId });
    diagnostics.push(...state.diagnostics);
    const severity = state.config.severity === 'warn' ? 'warn' : 'error';
    tests.push({
      name: uniqueName(basename(file.relPath, '.sql')),
      ...(state.refs[0] ? { model: state.refs.filter((r) => models.has(r)).at(-1) ?? state.refs[0] } : {}),
      refs: state.refs,
      kind: 'singular',
      severity,
      sql: sql.trim().replace(/;\s*$/, ''),
      file: file.relPath,
    });
  }
  return { tests, diagnostics };
}
