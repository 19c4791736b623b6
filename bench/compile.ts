/**
 * Compile speed on synthetic projects: N models, each referencing 1–3 earlier ones, with
 * helpers (config, ref, var, source) and a macro. Prints figures and writes them as JSON.
 * Every model's SQL is parsed and analyzed (column lineage), as compile always does.
 * Usage: npx tsx bench/compile.ts [--models 1000,10000,100000]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileProject, loadSqlParser } from '../src/api/compile.ts';
import { writeBenchResult } from './results.ts';

await loadSqlParser();

function makeProject(dir: string, n: number): void {
  mkdirSync(join(dir, 'models', 'core'), { recursive: true });
  mkdirSync(join(dir, 'macros'), { recursive: true });
  writeFileSync(
    join(dir, 'project.yaml'),
    'name: bench\nlayers:\n  core: {materialized: view}\nsources:\n  raw: {schema: raw, tables: [events]}\nvars:\n  threshold: 10\n',
  );
  writeFileSync(join(dir, 'macros', 'safe_div.sql'), 'case when {{den}} = 0 then null else {{num}}::numeric / {{den}} end');
  let seed = 7;
  const rand = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  for (let i = 0; i < n; i++) {
    const refs = i === 0 ? [] : [...new Set(Array.from({ length: 1 + rand(3) }, () => rand(i)))];
    const from = refs.length === 0 ? '{{source "raw" "events"}} r0' : refs.map((r, j) => `{{ref "m${r}"}} r${j}`).join(' cross join ');
    writeFileSync(
      join(dir, 'models', 'core', `m${i}.sql`),
      `{{config materialized="view" tags="t${i % 10}"}}\n-- model ${i}\nselect r0.id,\n  {{> safe_div num="r0.a" den="r0.b"}} as ratio,\n  r0.a > {{var "threshold"}} as big, r0.a, r0.b\nfrom ${from}\n`,
    );
  }
}

const sizes = (process.argv.find((_, i) => process.argv[i - 1] === '--models') ?? '1000,10000,100000').split(',').map(Number);
const figures = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-compile-'));
  makeProject(dir, n);
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const result = compileProject({ projectDir: dir, writeArtifacts: false });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const row = {
    models: n,
    seconds_total: +seconds.toFixed(3),
    seconds_read: +(result.timings.readMs / 1000).toFixed(3),
    seconds_compile: +(result.timings.compileMs / 1000).toFixed(3),
    seconds_sql_analysis: +(result.timings.analyzeMs / 1000).toFixed(3),
    ms_per_model: +((seconds * 1000) / n).toFixed(4),
    peak_rss_mb: Math.round(peak / 2 ** 20),
  };
  figures.push(row);
  console.log(
    `${String(n).padStart(7)} models: ${row.seconds_total}s total (${row.seconds_read}s reading files, ${row.seconds_compile}s rendering + graph + diagnostics, of which ${row.seconds_sql_analysis}s parsing + analyzing SQL), ${row.ms_per_model} ms/model, peak RSS ${row.peak_rss_mb} MB`,
  );
  rmSync(dir, { recursive: true, force: true });
}
writeBenchResult('compile', { figures });
