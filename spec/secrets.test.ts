/**
 * Passwords never leave, property-based: random passwords of any characters (fast-check),
 * given percent-encoded, raw, as libpq key=value, through PGPASSWORD or `--database-url`,
 * go through every command strata has — on success and on failure (a broken model, a
 * wrong password, an unreachable server) — and no trace of them may appear on stdout,
 * stderr, in logs/pipeline.log, target/, docs/, the docs site, the lake, the metrics file
 * or any other file strata writes.
 *
 * The database is a throwaway cluster with SCRAM authentication, so a password is really
 * checked (the shared test server trusts everyone). Every password is framed by two
 * markers, so a leaked fragment that touches either end is caught, not just the whole.
 * STRATA_SECRETS_RUNS sets the number of random passwords (default 1, plus the shapes
 * that leaked before: ' " space # / ?).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { quoteLiteral } from '../src/engine/quote.ts';
import { JAFFLE, copyProject, runCli, targets, type CliResult } from './support.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { freePort, unprivilegedUser } from './support/processes.ts';

const HEAD = 'Sx7head';
const TAIL = 'Sx7tail';
/** Characters that broke masking before, others that mean something in URLs, libpq, JSON, HTML or SQL, and anything else. */
const middle = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...`'" #/?@:%&=+,;\\$[]{}<>\`\t`),
    fc.constantFrom('é', 'ß', '€', '中', '😀'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 20,
});
const SHAPES = [`it's`, `say "hi"`, 'two words', 'hash#tag', 'sl/ash', 'what?', `all' " #/?@:%25&=\\`];

/** Every file under `dir`, as text. */
const allFiles = (dir: string): { path: string; text: string }[] =>
  (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'latin1') + '\n' + readFileSync(path, 'utf8') }));

function assertNoTrace(password: string, places: { path: string; text: string }[]): void {
  const forms = [HEAD, TAIL, password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1)];
  for (const p of places) {
    for (const form of forms) assert.ok(!p.text.includes(form), `${p.path} holds the password (${JSON.stringify(form)}):\n${p.text.slice(0, 2000)}`);
  }
}

type Form = 'encoded-url' | 'keyword-value' | 'PGPASSWORD' | '--database-url' | 'raw-url';

describe('passwords never leave: every command, every file, any password', () => {
  const user = unprivilegedUser();
  let cluster: Cluster;
  let runNo = 0;

  before(async () => {
    cluster = await startCluster(user, { ssl: false, hba: ['host all all 127.0.0.1/32 scram-sha-256'] });
  });
  after(() => cluster?.stop());

  /** A login role with `password` owning a fresh database, and a project whose roles log in with it too. */
  function prepare(password: string): { role: string; database: string; project: string } {
    const n = ++runNo;
    const role = `mask_${n}_${randomBytes(3).toString('hex')}`;
    cluster.psql(`set password_encryption = 'scram-sha-256'; create role ${role} login createrole password ${quoteLiteral(password)}`);
    cluster.psql(`create database ${role} owner ${role}`);
    const project = copyProject(JAFFLE);
    const cfg = readFileSync(join(project, 'project.yaml'), 'utf8');
    writeFileSync(join(project, 'project.yaml'), `${cfg}\nroles:\n  ${role}_reader: { read: [marts], password_env: MASK_ROLE_PW }\n`);
    return { role, database: role, project };
  }

  function connection(form: Form, role: string, database: string, password: string, port = cluster.port): { args: string[]; env: Record<string, string> } {
    const base = { MASK_ROLE_PW: password, DATABASE_URL: '', NEON_DB_URL: '', DATABASE_URL_DIRECT: '', PGPASSWORD: '' };
    const encoded = `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    switch (form) {
      case 'encoded-url':
        return { args: [], env: { ...base, DATABASE_URL: encoded } };
      case 'raw-url':
        return { args: [], env: { ...base, DATABASE_URL: `postgres://${role}:${password}@127.0.0.1:${port}/${database}` } };
      case 'keyword-value': {
        const quoted = `'${password.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
        return { args: [], env: { ...base, DATABASE_URL: `host=127.0.0.1 port=${port} dbname=${database} user=${role} password=${quoted}` } };
      }
      case 'PGPASSWORD':
        return { args: [], env: { ...base, DATABASE_URL: `postgres://${role}@127.0.0.1:${port}/${database}`, PGPASSWORD: password } };
      case '--database-url':
        return { args: ['--database-url', encoded], env: base };
    }
  }

  /** The whole CLI, rotating through the ways of giving the password. */
  async function sweep(password: string): Promise<void> {
    const { role, database, project } = prepare(password);
    const outputs: { path: string; text: string }[] = [];
    const forms: Form[] = ['encoded-url', 'keyword-value', 'PGPASSWORD', '--database-url'];
    let i = 0;
    const cli = async (args: string[], expect: number | number[], opts: { form?: Form; password?: string; port?: number } = {}): Promise<CliResult> => {
      const c = connection(opts.form ?? forms[i++ % forms.length]!, role, database, opts.password ?? password, opts.port);
      const r = await runCli([...c.args, ...args], { projectDir: project, env: c.env });
      outputs.push({ path: `strata ${args.join(' ')} stdout`, text: r.stdout }, { path: `strata ${args.join(' ')} stderr`, text: r.stderr });
      const ok = Array.isArray(expect) ? expect.includes(r.code) : r.code === expect;
      assert.ok(ok, `strata ${args.join(' ')} exited ${r.code}, expected ${expect} (password ${JSON.stringify(password)}):\n${r.stdout}\n${r.stderr}`);
      return r;
    };
    try {
      await cli(['build'], 0, { form: 'encoded-url' });
      await cli(['--json', 'build'], 0);
      await cli(['run', '--threads', '2'], 0);
      await cli(['test'], 0);
      await cli(['--json', 'test'], 0);
      await cli(['compile'], 0);
      await cli(['migrate'], 0);
      await cli(['seed'], 0);
      await cli(['--json', 'batches'], 0);
      await cli(['batches'], 0);
      await cli(['grants'], 0);
      await cli(['--json', 'grants'], 0);
      await cli(['export', '--replace'], [0, 1]);
      await cli(['lake', 'list'], 0);
      await cli(['lake', 'verify'], 0);
      await cli(['docs'], 0);
      await cli(['health'], [0, 1]);
      await cli(['--json', 'health'], [0, 1]);
      await cli(['metrics'], 0);
      await cli(['metrics', '--out', join(project, 'target', 'metrics.prom')], 0);
      await cli(['rollback'], 0);
      await cli(['--help'], 0);
      // Failures: a model that breaks, a wrong password, a server that is not there.
      writeFileSync(join(project, 'models', 'marts', 'broken.sql'), 'select \'not a number\'::integer as n from {{ref "customers"}}\n');
      await cli(['build'], 1);
      await cli(['--json', 'build'], 1);
      rmSync(join(project, 'models', 'marts', 'broken.sql'));
      const wrong = `${HEAD}wrong${password.slice(HEAD.length)}`;
      for (const form of forms) {
        await cli(['build'], 1, { form, password: wrong });
        await cli(['--json', 'health'], 2, { form, password: wrong });
      }
      const closed = await freePort();
      await cli(['--json', 'build'], 1, { port: closed });
      await cli(['metrics'], 0, { port: closed });
      // Unencoded: either it parses and works, or it is refused without being quoted.
      await cli(['health'], [0, 1, 2], { form: 'raw-url' });
      await cli(['--json', 'build'], [0, 1, 2], { form: 'raw-url' });
      await cli(['migrate'], [0, 2], { form: 'raw-url' });

      for (const f of ['logs/pipeline.log', 'target/run_results.json', 'docs/last_run_metrics.json', 'target/docs/index.html', 'target/manifest.json', 'target/metrics.prom']) {
        assert.ok(statSync(join(project, f)).isFile(), `${f} was written`);
      }
      assertNoTrace(password, [...outputs, ...allFiles(project)]);
    } finally {
      rmSync(project, { recursive: true, force: true });
      cluster.psql(`drop database if exists ${database} with (force)`);
      cluster.psql(`drop owned by ${role}_reader; drop role if exists ${role}_reader; drop role if exists ${role}`);
    }
  }

  test('random passwords and the shapes that leaked before, through every command and artifact', async () => {
    const runs = Number(process.env.STRATA_SECRETS_RUNS ?? 1);
    await fc.assert(
      fc.asyncProperty(middle, async (mid) => sweep(HEAD + mid + TAIL)),
      { numRuns: runs, examples: [[SHAPES.join('')]], endOnFailure: true },
    );
  });

  test('on the embedded engine, the role passwords of `grants` leave no trace either', async () => {
    const target = await targets()[0]!.create();
    const project = copyProject(JAFFLE);
    const password = `${HEAD}${SHAPES.join('')}${TAIL}`;
    try {
      const cfg = readFileSync(join(project, 'project.yaml'), 'utf8');
      writeFileSync(join(project, 'project.yaml'), `${cfg}\nroles:\n  lake_reader: { read: [marts], password_env: MASK_ROLE_PW }\n`);
      const outputs: { path: string; text: string }[] = [];
      for (const args of [['build'], ['grants'], ['--json', 'grants'], ['docs'], ['--json', 'health'], ['metrics']]) {
        const r = await runCli(args, { projectDir: project, target, env: { MASK_ROLE_PW: password } });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        outputs.push({ path: `${args.join(' ')} stdout`, text: r.stdout }, { path: `${args.join(' ')} stderr`, text: r.stderr });
      }
      assertNoTrace(password, [...outputs, ...allFiles(project)]);
    } finally {
      rmSync(project, { recursive: true, force: true });
      await target.cleanup();
    }
  });
});
