/**
 * docs/runbook.md, executed: every command in its sh blocks runs here, in the situation it
 * is written for (a healthy project, a failed build, a corrupt gold file, a database that
 * is down), and must do what the runbook says. A command added to the runbook without a
 * step here fails the last test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_ARGS, REPO, quickStartCopy, runCli, type TestTarget } from './support.ts';

const RUNBOOK = readFileSync(join(REPO, 'docs', 'runbook.md'), 'utf8');
const COMMANDS = [...RUNBOOK.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split('\n'));
const STRATA = [process.execPath, ...CLI_ARGS].join(' ');

describe('the runbook, command by command (embedded engine)', () => {
  let target: TestTarget;
  let project: string;
  let scratch: string;
  const ran = new Set<string>();

  /** Runs one runbook line as written (strata = this checkout's CLI) in the project directory. */
  function run(line: string, env: Record<string, string> = {}): { code: number; out: string } {
    assert.ok(COMMANDS.includes(line), `not in the runbook: ${line}`);
    ran.add(line);
    const r = spawnSync('bash', ['-c', line.replaceAll('npx tsx src/cli.ts', '$STRATA')], {
      cwd: project,
      // TMPDIR: the restore drill's mktemp lands in scratch, removed after the suite.
      env: { ...process.env, ...target.env, STRATA, TEXTFILE_DIR: scratch, TMPDIR: scratch, ARCHIVE_DIR: join(scratch, 'archive'), NEW_ANALYTICS_PASSWORD: 'rotated-pw', ...env },
      encoding: 'utf8',
    });
    return { code: r.status ?? -1, out: r.stdout + r.stderr };
  }
  const ok = (line: string, expect?: RegExp, env?: Record<string, string>): string => {
    const r = run(line, env);
    assert.equal(r.code, 0, `${line}\n${r.out}`);
    if (expect) assert.match(r.out, expect, line);
    return r.out;
  };

  before(async () => {
    // Two builds: the quick start (done once per test run, copied here) and one more.
    ({ target, project } = await quickStartCopy());
    scratch = mkdtempSync(join(tmpdir(), 'strata-runbook-'));
    const b = await runCli(['build'], { projectDir: project, target });
    assert.equal(b.code, 0, b.stdout + b.stderr);
  });
  after(async () => {
    await target?.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('daily: health, logs, metrics', () => {
    ok('npx tsx src/cli.ts health', /HEALTHY/);
    assert.equal(JSON.parse(ok('npx tsx src/cli.ts --json health')).status, 'healthy');
    ok('tail -n 20 logs/pipeline.log', /"event":"run_end"/);
    ok('npx tsx src/cli.ts logs', /^no failure in /);
    ok('npx tsx src/cli.ts metrics --out "$TEXTFILE_DIR/strata.prom"');
    assert.match(readFileSync(join(scratch, 'strata.prom'), 'utf8'), /^strata_pipeline_success 1$/m);
  });

  test('weekly: sizes, batches, run times, schema drift', () => {
    ok('npx tsx src/cli.ts lake list', /gold:\n[\s\S]*\* \S+ +complete/);
    ok('npx tsx src/cli.ts batches', /published/);
    assert.equal(ok(`grep '"event":"run_end"' logs/pipeline.log | tail -n 7`).trim().split('\n').length, 2);
    ok('npx tsx src/cli.ts compile', /compiled (\d+ of )?\d+ models/);
    ok('npx tsx src/cli.ts test', /\d+\/\d+ tests passed/);
  });

  test('monthly: restore drill into an empty database, secret rotation, retention, grants audit', () => {
    const drill = ok(
      'drill="$(mktemp -d)/db"; STRATA_PGLITE_DIR="$drill" npx tsx src/cli.ts --target embedded lake restore && STRATA_PGLITE_DIR="$drill" npx tsx src/cli.ts --target embedded batches',
      /restored batch \S+: .*fact_reviews \(\d+ rows\)/,
    );
    assert.match(drill, /\* \S+\s+published\s+restore/, 'the scratch database publishes the restored batch');
    ok('ANALYTICS_USER_PASSWORD="$NEW_ANALYTICS_PASSWORD" npx tsx src/cli.ts grants', /ALTER ROLE "analytics_user" LOGIN PASSWORD '\*\*\*\*'/);
    ok('npx tsx src/cli.ts lake prune --dry-run', /gold: would delete nothing/);
    ok('npx tsx src/cli.ts lake prune --archive "$ARCHIVE_DIR"', /gold: deleted nothing .* kept 2/);
    ok('npx tsx src/cli.ts grants --check', /no drift/);
    ok('npx tsx src/cli.ts grants', /already up to date/);
  });

  test('incident: a failed pipeline, found in the metrics and log, fixed and re-run with --select', async () => {
    const model = join(project, 'models', 'gold', 'fact_reviews.sql');
    const good = readFileSync(model, 'utf8');
    // Fails when it runs on the shop's rows only (a missing table or column is a compile
    // error, and the model's unit tests use small ids): the cast error quotes 'no_such_table'.
    writeFileSync(model, good.replace('    r.rating,', "    case when r.review_id > 1000 then ('no_such_table' || r.rating)::smallint else r.rating end as rating,"));
    const failed = await runCli(['build'], { projectDir: project, target });
    assert.equal(failed.code, 1);
    writeFileSync(model, good);
    assert.equal(JSON.parse(ok('cat docs/last_run_metrics.json')).pipeline_success, 0);
    ok('npx tsx src/cli.ts logs', /model fact_reviews failed: .*no_such_table/);
    ok(`grep -E '"status":"(error|fail)"' logs/pipeline.log | tail -n 5`, /"model":"fact_reviews".*no_such_table/);
    ok('npx tsx src/cli.ts build --select fact_reviews+', /published batch/);
    ok('npx tsx src/cli.ts clean', /no dead batches/);
  });

  test('incident: a failed data test is found by the runbook\'s own command', async () => {
    const failing = join(project, 'tests', 'runbook_always_fails.sql');
    writeFileSync(failing, 'select review_id from {{ref "fact_reviews"}} limit 1\n');
    try {
      const failed = await runCli(['build'], { projectDir: project, target });
      assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    } finally {
      rmSync(failing);
    }
    ok('npx tsx src/cli.ts logs', /test runbook_always_fails failed \(1 failing rows\)[\s\S]*not published: test runbook_always_fails failed/);
    ok(`grep -E '"status":"(error|fail)"' logs/pipeline.log | tail -n 5`, /"test":"runbook_always_fails".*"status":"fail"/);
  });

  test('incident: an incremental model is wrong, rebuilt in full; a source broke its contract or went stale', () => {
    const out = ok('npx tsx src/cli.ts build --select fact_reviews+ --full-refresh', /published batch/);
    assert.match(out, /incremental gold\.fact_reviews … [\d,]+ rows in/, 'rebuilt in full, not merged');
    ok('npx tsx src/cli.ts source freshness', /no source table declares loaded_at_field/);
  });

  test('incident: the database is unreachable, then the direct URL works', () => {
    const down = { DATABASE_URL: 'postgres://etl:hunter2@127.0.0.1:1/reviews' };
    const r = run('npx tsx src/cli.ts health', down);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /DOWN\s+db_connectivity\s+cannot reach 127\.0\.0\.1:1\/reviews \(etl\)/);
    assert.doesNotMatch(r.out, /hunter2/);
    // --direct reads DATABASE_URL_DIRECT from .env (as the README recommends keeping it), not
    // the embedded database: here the direct endpoint is down too, and health names it.
    writeFileSync(join(project, '.env'), 'DATABASE_URL_DIRECT=postgres://etl:hunter3@127.0.0.1:2/reviews\n', { mode: 0o600 });
    try {
      const d = run('npx tsx src/cli.ts --direct health', down);
      assert.equal(d.code, 2, d.out);
      assert.match(d.out, /DOWN\s+db_connectivity\s+cannot reach 127\.0\.0\.1:2\/reviews \(etl\)/);
      assert.doesNotMatch(d.out, /hunter3/);
    } finally {
      rmSync(join(project, '.env'));
    }
  });

  test('incident: a corrupt gold file is found, re-exported, and rollback is at hand', () => {
    const active = readFileSync(join(project, 'data', 'gold', 'active'), 'utf8').trim();
    const dir = join(project, 'data', 'gold', `batch=${active}`);
    const file = readdirSync(dir).find((f) => f.startsWith('fact_reviews') && f.endsWith('.parquet'))!;
    truncateSync(join(dir, file), 100);
    const bad = run('npx tsx src/cli.ts lake verify');
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, new RegExp(`DAMAGED[\\s\\S]*${file}`));
    ok('npx tsx src/cli.ts export --replace', /exported gold: \d+ tables/);
    ok('npx tsx src/cli.ts lake verify', /OK/);
    ok('npx tsx src/cli.ts lake rollback', new RegExp(`gold: active ${active} → \\S+`));
  });

  test('incident: database and lake disagree, health says so and names the fix', () => {
    const older = readdirSync(join(project, 'data', 'bronze')).filter((d) => d.startsWith('batch=')).map((d) => d.slice(6)).sort()[0]!;
    const now = readFileSync(join(project, 'data', 'bronze', 'active'), 'utf8').trim();
    assert.notEqual(older, now);
    writeFileSync(join(project, 'data', 'bronze', 'active'), `${older}\n`);
    const r = run('npx tsx src/cli.ts health');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`WARN\\s+batch_consistency\\s+the bronze lake's active batch is ${older}, the database publishes ${now}: run \`strata export\``));
    ok('npx tsx src/cli.ts export');
    // Still degraded overall (the data-test incident's build failed), but the batches agree again.
    assert.match(run('npx tsx src/cli.ts health').out, /OK\s+batch_consistency/);
  });

  test('every command of the runbook was run above', () => {
    assert.deepEqual(COMMANDS.filter((c) => !ran.has(c)), []);
  });
});
