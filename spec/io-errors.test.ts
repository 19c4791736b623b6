/**
 * A full disk is named as one, with the path: the lake export on a file system that runs
 * out mid-file used to report "Invalid Parquet file. Corrupt footer" (a short write was
 * taken for a complete one). Each case runs the CLI in a private mount namespace with a
 * small tmpfs over the folder concerned (`unshare --user --map-root-user --mount`, which
 * needs no root), so nothing on the real disk fills up.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CLI_ARGS, JAFFLE, REPO, targets, useSpecProject, withEngine, type TestTarget } from './support.ts';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  /** `ls -A` of the full folder after strata exited, inside the namespace. */
  left: string;
}

/** Runs `strata <args>` with a `size` tmpfs mounted over `dir`, in a mount namespace of its own. */
function runOnSmallDisk(dir: string, size: string, args: string[], projectDir: string, target: TestTarget): Promise<Outcome> {
  const script = 'mount -t tmpfs -o "size=$1" tmpfs "$2" || exit 99; shift 2; node "$@"; code=$?; echo "@@left"; ls -AR "$MOUNTED"; exit $code';
  return new Promise((resolve, reject) => {
    const child = spawn(
      'unshare',
      ['--user', '--map-root-user', '--mount', 'sh', '-c', script, 'sh', size, dir, ...CLI_ARGS, '--project-dir', projectDir, ...args],
      { cwd: REPO, env: { ...process.env, ...target.env, MOUNTED: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const [out, left = ''] = stdout.split('@@left\n');
      if (code === 99) reject(new Error(`could not mount a tmpfs in a user namespace: ${stderr}`));
      else resolve({ code: code ?? -1, stdout: out!, stderr, left });
    });
  });
}

for (const factory of targets()) {
  describe(`I/O errors named as such, with the path, on ${factory.name}`, () => {
    const spec = useSpecProject(factory, JAFFLE, async ({ project }) => {
      // ~600 KB of parquet: bigger than the disk below, so the disk fills in the middle of a file.
      writeFileSync(join(project, 'models', 'marts', 'wide.sql'), `select g as id, md5(g::text) || md5((g * 7)::text) as h from generate_series(1, 20000) g\n`);
      mkdirSync(join(project, 'data'));
      mkdirSync(join(project, 'target'));
    });

    test('the disk fills up during the lake export: ENOSPC and the file, the batch stays published, no partial batch is left', async () => {
      const r = await runOnSmallDisk(join(spec.project, 'data'), '128k', ['build'], spec.project, spec.target);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const where = `${spec.project.replaceAll('.', '\\.')}/data/marts/batch=[^/]+/\\.wide\\.parquet\\.tmp-\\d+`;
      assert.match(r.stdout, new RegExp(`batch \\S+ is published, but its lake export failed: cannot write ${where}: no space left on device \\(ENOSPC\\); run \`strata export\``));
      assert.doesNotMatch(r.stdout + r.stderr, /Corrupt footer|Invalid Parquet/);
      assert.doesNotMatch(r.left, /batch=|active/, `the failed export left files behind:\n${r.left}`);
      await withEngine(spec.target, async (db) => {
        const { rows } = await db.query<{ n: string }>('select count(*) as n from marts.wide');
        assert.equal(Number(rows[0]!.n), 20000, 'the database batch is published all the same');
      });
    });

    test('target/ on a full disk: compile says which file could not be written and why', async () => {
      const r = await runOnSmallDisk(join(spec.project, 'target'), '4k', ['compile'], spec.project, spec.target);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`^error: cannot write ${spec.project.replaceAll('.', '\\.')}/target/\\S+: no space left on device \\(ENOSPC\\)\\n$`));
    });
  });
}
