/**
 * What SQL comprehension costs per model: parsing with PostgreSQL's parser (libpg-query,
 * WebAssembly) and the lineage analysis of the parse tree, apart. The Amazon project's 17
 * models are rendered by compile and replicated (each copy reading its own copies of the
 * parents) to the number asked; a second set is one-line models of the shape bench/compile
 * generates. Each set is measured `--rounds` times and the fastest round is kept: on a
 * shared machine other work only ever adds time.
 * Usage: npx tsx bench/lineage.ts [--models 10000] [--rounds 3]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSql } from '../src/sql/parser.ts';
import { compileProject, loadSqlParser } from '../src/api/compile.ts';
await loadSqlParser();
import { parseHeaderLine } from '../src/seeds/header.ts';
import { analyzeModel, type Catalog, type CatalogColumn } from '../src/sql/analyze.ts';
import { tablesFromDdl } from '../src/sql/ddl-columns.ts';
import { parseableSql, relationKey } from '../src/sql/model-sql.ts';
import { writeBenchResult } from './results.ts';

const REPO = join(import.meta.dirname, '..');
const arg = (name: string, fallback: number): number => Number(process.argv.find((_, i) => process.argv[i - 1] === name) ?? fallback);
const n = arg('--models', 10000);
const rounds = arg('--rounds', 3);

interface Model {
  name: string;
  sql: string;
}

async function amazonModels(count: number): Promise<{ models: Model[]; catalog: Catalog }> {
  const { compiled } = compileProject({ projectDir: REPO, writeArtifacts: false });
  const seeds = new Map(compiled.project.seeds.map((s) => [s.name, parseHeaderLine(readFileSync(s.path, 'utf8')).map((name) => ({ name }))]));
  const dir = compiled.project.migrationsDir;
  const tables = tablesFromDdl(readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8')));
  const order = compiled.order.flatMap((name) => (compiled.models.has(name) ? [compiled.models.get(name)!] : []));
  const models: Model[] = [];
  for (let copy = 0; models.length < count; copy++) {
    for (const m of order) {
      if (models.length === count) break;
      // each copy reads its own copies of the parents
      models.push({ name: `${m.name}__${copy}`, sql: m.sql.replace(/\u0001ref:([^\u0001]*)\u0001/g, (whole, name: string) => (compiled.models.has(name) ? `\u0001ref:${name}__${copy}\u0001` : whole)) });
    }
  }
  return { models, catalog: (r) => (r.kind === 'ref' ? seeds.get(r.name) : tables.get(relationKey(r))) };
}

function smallModels(count: number): { models: Model[]; catalog: Catalog } {
  const models: Model[] = [];
  for (let i = 0; i < count; i++) {
    const from = i === 0 ? '"raw"."events" r0' : `\u0001ref:m${Math.floor(i / 2)}\u0001 r0 cross join \u0001ref:m${Math.floor(i / 3)}\u0001 r1`;
    models.push({ name: `m${i}`, sql: `-- model ${i}\nselect r0.id,\n  case when r0.b = 0 then null else r0.a::numeric / r0.b end as ratio,\n  r0.a > 10 as big, r0.a, r0.b\nfrom ${from}` });
  }
  const events: CatalogColumn[] = [{ name: 'id', type: 'bigint' }, { name: 'a', type: 'integer' }, { name: 'b', type: 'integer' }];
  return { models, catalog: (r) => (r.kind === 'table' ? events : undefined) };
}

function measure(label: string, set: { models: Model[]; catalog: Catalog }) {
  const all = Array.from({ length: rounds }, () => measureOnce(set));
  const best = all.reduce((a, b) => (b.parseMs + b.analysisMs < a.parseMs + a.analysisMs ? b : a));
  const { models } = set;
  const chars = models.reduce((s, m) => s + m.sql.length, 0);
  const row = {
    set: label,
    models: models.length,
    avg_sql_chars: Math.round(chars / models.length),
    us_parse_per_model: +((best.parseMs * 1000) / models.length).toFixed(1),
    us_analysis_per_model: +((best.analysisMs * 1000) / models.length).toFixed(1),
    seconds_total: +((best.parseMs + best.analysisMs) / 1000).toFixed(3),
    rounds,
    models_with_unknown_columns: best.unknown,
    problems: best.problems,
  };
  console.log(
    `${label}: ${row.models} models (${row.avg_sql_chars} chars each): parse ${row.us_parse_per_model} µs + analysis ${row.us_analysis_per_model} µs per model, ${row.seconds_total}s in all (best of ${rounds}); ${best.unknown} with unknown columns, ${best.problems} problems`,
  );
  return row;
}

function measureOnce({ models, catalog }: { models: Model[]; catalog: Catalog }) {
  // Each model's parents are analyzed before it, as compile will do.
  const columns = new Map<string, CatalogColumn[] | undefined>();
  const lookup: Catalog = (r) => (r.kind === 'ref' && columns.has(r.name) ? columns.get(r.name) : catalog(r));
  for (const m of models.slice(0, 50)) analyzeModel(m.sql, lookup); // warm up
  columns.clear();
  let parseMs = 0;
  let analysisMs = 0;
  let problems = 0;
  let unknown = 0;
  for (const m of models) {
    const t0 = performance.now();
    const parsed = parseSql(parseableSql(m.sql).text);
    const t1 = performance.now();
    const a = analyzeModel(m.sql, lookup, { parsed });
    analysisMs += performance.now() - t1;
    parseMs += t1 - t0;
    columns.set(m.name, a.columns?.map((c) => ({ name: c.name, type: c.type })));
    problems += a.problems.length;
    if (!a.columns) unknown++;
  }
  return { parseMs, analysisMs, problems, unknown };
}

const figures = [measure('amazon', await amazonModels(n)), measure('one-line', smallModels(n))];
writeBenchResult('lineage', { figures });
