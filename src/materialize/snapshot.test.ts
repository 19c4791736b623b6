import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { tempProject } from '../../spec/temp-project.ts';
import { compileProject, loadSqlParser } from '../api/compile.ts';
import { SNAPSHOT_RESERVED } from './snapshot.ts';

before(() => loadSqlParser());

const project = (column: string): string =>
  tempProject('snapshot-reserved', {
    'project.yaml': 'name: t\nlayers:\n  core: {materialized: table}\n',
    'models/core/history.sql': `{{config materialized="snapshot" unique_key="id" strategy="check" check_cols="v"}}\nselect 1 as id, 2 as v, 3 as ${column}\n`,
  });

for (const column of SNAPSHOT_RESERVED) {
  test(`a snapshot producing \`${column}\`, a name its own SQL uses, fails to compile and says so`, () => {
    assert.throws(
      () => compileProject({ projectDir: project(column), writeArtifacts: false }),
      (err: Error) => err.message.includes(`models/core/history.sql`) && err.message.includes(`snapshot \`history\` produces \`${column}\`, a column name the snapshot uses itself`),
    );
  });
}

test('a snapshot producing other columns compiles', () => {
  const result = compileProject({ projectDir: project('strata_other'), writeArtifacts: false });
  assert.deepEqual(result.analyses.get('history')!.columns!.map((c) => c.name), ['id', 'v', 'strata_other', 'valid_from', 'valid_to']);
});
