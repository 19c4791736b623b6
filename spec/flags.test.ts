/**
 * The flag matrix: every bad value of every flag (and of the project.yaml keys that mirror
 * them) exits 2 with a message saying what was expected — before anything runs, so the
 * database is never opened: on PGlite its data directory is not even created, on
 * PostgreSQL strata's bookkeeping schema never appears.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { JAFFLE, runCli, targets, useSpecProject, withEngine, type CliResult } from './support.ts';

/** args → what stderr must say. */
const MATRIX: [string[], RegExp][] = [
  [['build', '--threads', '-3'], /option '--threads <n>' argument '-3' is invalid\. expected a whole number from 1 to 64\./],
  [['build', '--threads', 'abc'], /argument 'abc' is invalid\. expected a whole number from 1 to 64/],
  [['build', '--threads', '0'], /argument '0' is invalid\. expected a whole number from 1 to 64/],
  [['build', '--threads', '1.5'], /argument '1\.5' is invalid/],
  [['build', '--threads', '65'], /argument '65' is invalid/],
  [['build', '--threads', '4x'], /argument '4x' is invalid/],
  [['build', '--threads', ''], /argument '' is invalid/],
  [['run', '--threads', 'abc'], /option '--threads <n>' argument 'abc' is invalid/],
  [['build', '--lock-timeout', 'abc'], /option '--lock-timeout <seconds>' argument 'abc' is invalid\. expected a number from 0 to 86,400\./],
  [['build', '--lock-timeout', '-1'], /argument '-1' is invalid/],
  [['build', '--lock-timeout', '1e3'], /argument '1e3' is invalid/],
  [['run', '--lock-timeout', 'Infinity'], /argument 'Infinity' is invalid/],
  [['build', '--batch-id', 'x; drop schema gold cascade'], /option '--batch-id <id>' argument 'x; drop schema gold cascade' is invalid\. a batch id is 1–40 lower-case letters and digits/],
  [['build', '--batch-id', 'rel.1'], /option '--batch-id <id>' argument 'rel\.1' is invalid\. a batch id is 1–40 lower-case letters/],
  [['run', '--batch-id', 'R1'], /option '--batch-id <id>' argument 'R1' is invalid/],
  [['build', '--batch-id', '../../etc'], /argument '\.\.\/\.\.\/etc' is invalid/],
  [['build', '--batch-id', ''], /argument '' is invalid/],
  [['rollback', '--to', "b1' or '1'='1"], /option '--to <batch-id>' argument .* is invalid/],
  [['export', '--batch-id', '../outside'], /option '--batch-id <id>' argument '\.\.\/outside' is invalid/],
  [['export', '--layers', 'marts,,staging'], /option '--layers <list>' argument 'marts,,staging' is invalid\. expected a comma-separated list without empty items/],
  [['lake', 'rollback', '--to', 'a b'], /option '--to <batch-id>' argument 'a b' is invalid/],
  [['lake', 'verify', '--batch-id', '$(id)'], /argument '\$\(id\)' is invalid/],
  [['lake', 'restore', '--batch-id', '/abs'], /argument '\/abs' is invalid/],
  [['generate', '--reviews', '0', '--out', 'never'], /option '--reviews <n>' argument '0' is invalid\. expected a whole number from 1 to 1,000,000,000/],
  [['generate', '--seed', 'abc', '--out', 'never'], /option '--seed <s>' argument 'abc' is invalid/],
  [['docs', '--port', '70000'], /option '--port <n>' argument '70000' is invalid\. expected a whole number from 0 to 65,535/],
  [['docs', '--port', 'http'], /argument 'http' is invalid/],
  [['--target', 'sqlite', 'build'], /option '--target <engine>' argument 'sqlite' is invalid\. Allowed choices are embedded, postgres/],
  [['build', '--nope'], /unknown option '--nope'\nvalid options of `strata build`: -s, --select <selector>, --exclude <selector>, --selector <name>, --state <dir>, --full-refresh, --threads <n>, --batch-id <id>, --fail-fast, --lock-timeout <seconds>, --seed-from <dir>, --dry-run, --sql; before the command: .*--project-dir <dir>, --database-url <url>/],
  [['lake', 'list', '--bogus'], /unknown option '--bogus'\nvalid options of `strata lake list`: --layer <layer>; before the command:/],
  [['health', '--verbose'], /unknown option '--verbose'\nvalid options of `strata health`: --timeout <seconds>/],
  [['health', '--timeout', '0'], /option '--timeout <seconds>' argument '0' is invalid\. expected a number from 0\.1 to 86,400/],
  [['--colour', 'build'], /unknown option '--colour'\nvalid options of `strata`: /],
  [['build', 'extra'], /too many arguments for 'build'/],
  [['bild'], /unknown command 'bild'\n\(Did you mean build\?\)/],
  [['build', '--threads'], /option '--threads <n>' argument missing/],
  [['--vars', '[1, 2]', 'build'], /--vars: expected a mapping such as '\{top_n: 3\}'/],
  [['lake', 'list', '--layer', 'platinum'], /--layer: unknown layer platinum/],
];

/** Flags do not depend on the engine: PostgreSQL gets the ones that would touch a database first. */
const ON_POSTGRES = MATRIX.filter(([args]) => ['-3', 'abc', 'x; drop schema gold cascade', '--nope'].includes(args.at(-1)!) && ['build', 'run'].includes(args[0]!));

for (const factory of targets()) {
  const matrix = factory.name === 'pglite' ? MATRIX : ON_POSTGRES;
  describe(`the flag matrix on ${factory.name}: ${matrix.length} bad flags, each exit 2 with its message, before anything runs`, () => {
    const spec = useSpecProject(factory, JAFFLE);

    test('every bad value', async () => {
      const results: [string[], RegExp, CliResult][] = [];
      // Four at a time: each is a process of its own and ends as soon as its flags are read.
      for (let i = 0; i < matrix.length; i += 4) {
        const batch = matrix.slice(i, i + 4);
        const runs = await Promise.all(batch.map(([args]) => runCli(args, { projectDir: spec.project, target: spec.target })));
        batch.forEach(([args, why], j) => results.push([args, why, runs[j]!]));
      }
      for (const [args, why, r] of results) {
        assert.equal(r.code, 2, `strata ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
        assert.match(r.stderr, why, `strata ${args.join(' ')}`);
        assert.doesNotMatch(r.stderr, /Usage: strata/, 'a hint, not the whole help, follows the error');
      }
      if (spec.target.name === 'pglite') assert.ok(!existsSync(spec.target.env.STRATA_PGLITE_DIR!), 'the embedded database was never opened');
      else {
        await withEngine(spec.target, async (db) => {
          const { rows } = await db.query(`select 1 from pg_namespace where nspname in ('strata', 'raw', 'marts', 'staging')`);
          assert.equal(rows.length, 0, 'nothing was created in the database');
        });
      }
    });

    test('project.yaml keys follow the same rules, reported with file, line and key', async () => {
      const file = join(spec.project, 'project.yaml');
      const original = readFileSync(file, 'utf8');
      try {
        for (const [from, to, why] of [
          ['threads: 2', 'threads: -3', /project\.yaml:\d+ key `threads`: expected a whole number from 1 to 64, got number -3/],
          ['threads: 2', 'threads: abc', /key `threads`: expected a whole number from 1 to 64, got string "abc"/],
          ['threads: 2', 'keep_batches: 1', /key `keep_batches`: expected a whole number from 2 to 1,000, got number 1/],
          ['threads: 2', 'lake: {retention_days: many}', /key `lake\.retention_days`: expected a number from 0 to 36,500, got string "many"/],
          ['threads: 2', 'lake: {layers: [marts], colour: red}', /key `lake\.colour`: unknown key \(expected one of path, layers, retention_days\)/],
          ['materialized: table', 'materialized: tabel', /key `layers\.marts\.materialized`: expected one of view, table, incremental, ephemeral, snapshot, got string "tabel"/],
          ['schema: raw', 'schema: "raw; drop schema x"', /key `seeds\.schema`: "raw; drop schema x" is not a valid name/],
        ] as const) {
          assert.ok(original.includes(from), from);
          writeFileSync(file, original.replace(from, to));
          const r = await runCli(['build'], { projectDir: spec.project, target: spec.target });
          assert.equal(r.code, 2, `${to}: ${r.stdout}${r.stderr}`);
          assert.match(r.stderr, why, to);
        }
      } finally {
        writeFileSync(file, original);
      }
      if (spec.target.name === 'pglite') assert.ok(!existsSync(spec.target.env.STRATA_PGLITE_DIR!), 'the embedded database was never opened');
    });
  });
}
