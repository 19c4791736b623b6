/**
 * `show`: the first rows of a model's query, or of inline SQL, against the published
 * layers or a kept batch (`--batch-id`). It runs in a READ ONLY transaction, so a
 * preview can never change what is published.
 */
import { batchRelations, currentBatchId } from '../batch/state.ts';
import { resolvePlaceholders } from '../compile/placeholders.ts';
import { publishedRelation } from '../compile/relations.ts';
import { ExitCode, ProjectError, StrataError } from '../core/errors.ts';
import { qualify } from '../engine/quote.ts';
import { inlineEphemerals } from '../materialize/ephemeral.ts';
import { loadAndCompile } from './compile.ts';
import type { CommonOptions } from './context.ts';
import { eventBus, openSession } from './session.ts';
import { didYouMean } from '../core/suggest.ts';

export interface ShowOptions extends CommonOptions {
  /** A model name. */
  model?: string;
  /** A query, templated like a model: `select * from {{ref "orders"}}`. */
  inline?: string;
  limit: number;
  /** Read this kept batch's relations instead of the published ones. */
  batchId?: string;
}

export interface ShowResult {
  batchId: string | null;
  columns: string[];
  rows: Record<string, unknown>[];
  sql: string;
}

export async function show(opts: ShowOptions): Promise<ShowResult> {
  if (!opts.model === !opts.inline) throw new StrataError('show needs a model (--select name) or --inline "select …", not both', ExitCode.usage);
  const { compiled } = await loadAndCompile({ ...opts, writeArtifacts: false });
  let sql: string;
  let self: string | undefined;
  if (opts.model) {
    const model = compiled.models.get(opts.model);
    if (!model) throw new StrataError(`no model \`${opts.model}\`${didYouMean(opts.model, compiled.models.keys())}`, ExitCode.usage);
    sql = model.sql;
    self = model.name;
  } else {
    const template = compiled.renderer.compile('--inline', opts.inline!);
    const rendered = template ? compiled.renderer.render(template, '--inline', { isIncremental: false, batchId: 'show' }) : null;
    if (!rendered || rendered.state.diagnostics.length > 0) throw new ProjectError(rendered?.state.diagnostics ?? compiled.diagnostics.slice(-1), 'inline query');
    sql = rendered.sql.trim().replace(/;\s*$/, '');
  }
  const bus = eventBus(opts, compiled.project.dir);
  const session = await openSession(opts, compiled.project.dir, bus);
  try {
    const batchId = opts.batchId ?? (await currentBatchId(session.engine));
    const kept = opts.batchId ? await batchRelations(session.engine, opts.batchId) : null;
    if (kept && kept.size === 0) throw new StrataError(`batch ${opts.batchId} has no relations left (see \`strata batches\`)`, ExitCode.usage);
    const relation = (name: string): string => {
      const r = kept?.get(name);
      return r ? qualify(r.physicalSchema, name) : publishedRelation(compiled, name);
    };
    const resolved = resolvePlaceholders(inlineEphemerals(compiled, sql), { ref: relation, this: () => (self ? relation(self) : '') });
    const query = `select * from (\n${resolved}\n) as preview limit ${opts.limit}`;
    // READ ONLY: inline SQL that tries to write fails instead of changing anything.
    const result = await session.engine.transaction(async (tx) => {
      await tx.query('set transaction read only');
      return tx.query<Record<string, unknown>>(query);
    });
    const columns = result.fields?.map((f) => f.name) ?? Object.keys(result.rows[0] ?? {});
    return { batchId, columns, rows: result.rows, sql: resolved };
  } finally {
    await session.close();
    await bus.close();
  }
}
