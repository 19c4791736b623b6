/**
 * Inputs that reach SQL or the file system, as an attacker or a careless user writes
 * them: names from file names and YAML follow one rule, checked when the project is read,
 * so a bad one fails before any SQL runs (and before a lake export could trip over it);
 * no name climbs out of target/ or the lake; a var after a minus never makes a comment.
 * (Hostile var and seed *values* are in security.test.ts, batch ids in flags.test.ts.)
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { JAFFLE, runCli, targets, useSpecProject, withEngine } from './support.ts';

/** Writes `files` (relative to the project), runs `fn`, then removes them again. */
async function withFiles(project: string, files: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const saved = new Map<string, string | null>();
  for (const [rel, text] of Object.entries(files)) {
    const path = join(project, rel);
    saved.set(path, existsSync(path) ? readFileSync(path, 'utf8') : null);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  try {
    await fn();
  } finally {
    for (const [path, text] of saved) {
      if (text === null) rmSync(path, { force: true });
      else writeFileSync(path, text);
    }
  }
}

for (const factory of targets()) {
  describe(`inputs reaching SQL and the file system, on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE);
    const build = (args: string[] = []) => runCli(['build', ...args], { projectDir: spec.project, target: spec.target });

    /** Nothing ran: no schema of the project's was created. */
    async function untouched(): Promise<void> {
      if (spec.target.name === 'pglite' && !existsSync(spec.target.env.STRATA_PGLITE_DIR!)) return;
      await withEngine(spec.target, async (db) => {
        const { rows } = await db.query<{ n: string }>(`select nspname as n from pg_namespace where nspname in ('raw', 'staging', 'marts') or nspname like 'marts\\_\\_%'`);
        assert.deepEqual(rows, [], 'a schema was created');
      });
    }

    test('model, seed and test file names that cannot be names are refused before anything runs, each with its file', async () => {
      const odd = ['odd-name', 'a"b', 'drop;table', 'Ωmega', 'x'.repeat(64), '1st'];
      await withFiles(
        spec.project,
        {
          ...Object.fromEntries(odd.map((n) => [`models/marts/${n}.sql`, 'select 1 as one\n'])),
          'seeds/raw data.csv': 'id\n1\n',
          'tests/no-dashes.sql': 'select 1 where false\n',
        },
        async () => {
          const r = await build();
          assert.equal(r.code, 2, r.stdout + r.stderr);
          for (const n of odd) {
            assert.match(r.stderr, new RegExp(`models/marts/${n.replace(/[.*+?^${}()|[\]\\"]/g, '\\$&')}\\.sql: model file name "${n.replace(/[.*+?^${}()|[\]\\"]/g, (c) => (c === '"' ? '\\\\"' : `\\${c}`))}" (is not a valid name|is 64 characters long)`), n);
          }
          assert.match(r.stderr, /seeds\/raw data\.csv: seed file name "raw data" is not a valid name: use letters, digits and _, not starting with a digit \(rename the file\)/);
          assert.match(r.stderr, /tests\/no-dashes\.sql: test file name "no-dashes" is not a valid name/);
          await untouched();
          assert.ok(!existsSync(join(spec.project, 'data')), 'no lake batch was started');
        },
      );
    });

    test('a schema.yml column name with ../ is a compile error at its line, and no file lands outside target/', async () => {
      const schema = readFileSync(join(spec.project, 'models', 'marts', 'schema.yml'), 'utf8');
      const evil = '../../../../escaped_by_strata';
      await withFiles(
        spec.project,
        { 'models/marts/schema.yml': schema.replace('      - name: lifetime_value', `      - name: "${evil}"\n        tests: [not_null]\n      - name: lifetime_value`) },
        async () => {
          for (const command of ['compile', 'build', 'docs']) {
            const r = await runCli([command], { projectDir: spec.project, target: spec.target });
            assert.equal(r.code, 2, `${command}: ${r.stdout}${r.stderr}`);
            assert.match(r.stderr, /models\/marts\/schema\.yml:\d+ key `models\.1\.columns\.1\.name`: column "\.\.\/\.\.\/\.\.\/\.\.\/escaped_by_strata" is not a valid name/);
          }
          // Everything under the project, and the folder above it (not recursively: other specs work there).
          assert.ok(!readdirSync(spec.project, { recursive: true }).some((f) => String(f).includes('escaped_by_strata')), spec.project);
          assert.ok(!readdirSync(dirname(spec.project)).some((f) => f.includes('escaped_by_strata')), dirname(spec.project));
          await untouched();
        },
      );
    });

    test('names from project.yaml that are not identifiers are refused with their key', async () => {
      const file = join(spec.project, 'project.yaml');
      const original = readFileSync(file, 'utf8');
      try {
        for (const [from, to, why] of [
          ['staging: { materialized: view }', 'staging: { materialized: view, schema: "staging\\"; drop schema raw cascade; --" }', /key `layers\.staging\.schema`: "staging\\"; drop schema raw cascade; --" is not a valid name/],
          ['schema: raw', 'schema: "../raw"', /key `seeds\.schema`: "\.\.\/raw" is not a valid name/],
          ['threads: 2', 'threads: 2\nroles:\n  "r\'; drop role postgres; --": { read: [marts] }', /role "r'; drop role postgres; --" is not a valid name/],
          ['threads: 2', 'threads: 2\nsources:\n  shop: { schema: shop, tables: ["orders; delete from raw.raw_orders"] }', /key `sources\.shop\.tables\.0`: "orders; delete from raw\.raw_orders" is not a valid name/],
        ] as const) {
          assert.ok(original.includes(from), from);
          writeFileSync(file, original.replace(from, to));
          const r = await build();
          assert.equal(r.code, 2, `${to}: ${r.stdout}${r.stderr}`);
          assert.match(r.stderr, why, to);
        }
      } finally {
        writeFileSync(file, original);
      }
      await untouched();
    });

    test('a negative var after a minus is arithmetic, never a comment', async () => {
      await withFiles(spec.project, { 'models/marts/var_math.sql': 'select 5-{{var "delta"}} as x, 10 - {{var "delta"}}*2 as y, {{var "delta"}} as d\n' }, async () => {
        const r = await runCli(['--vars', '{delta: -2}', 'build', '--select', 'var_math'], { projectDir: spec.project, target: spec.target });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        await withEngine(spec.target, async (db) => {
          const { rows } = await db.query<{ x: number; y: number; d: number }>('select x, y, d from marts.var_math');
          assert.deepEqual(rows.map((row) => [Number(row.x), Number(row.y), Number(row.d)]), [[7, 14, -2]]);
        });
        const compiled = readFileSync(join(spec.project, 'target', 'compiled', 'marts', 'var_math.sql'), 'utf8');
        assert.match(compiled, /select 5-\(-2\) as x, 10 - \(-2\)\*2 as y, \(-2\) as d/);
      });
    });
  });
}
