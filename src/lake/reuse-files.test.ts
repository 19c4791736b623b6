import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestTable } from './manifest.ts';
import { pickReusedFiles, type LakeCandidate } from './reuse-files.ts';

const table = (name: string, relation: string, modelChecksum = 'c1'): ManifestTable => ({
  name, relation, file: `${name}.parquet`, rows: 1, bytes: 10, sha256: 'x', columns: [], modelChecksum,
});
const candidate = (batchId: string, tables: ManifestTable[], relations: Record<string, string>): LakeCandidate => ({
  batchId, dir: `/lake/gold/batch=${batchId}`, tables, relations: new Map(Object.entries(relations)),
});

test('a file is taken over only for the same relation, the database agreeing, and the same model checksum', () => {
  const wanted = [
    { name: 'same', relation: '"gold__a"."same"', modelChecksum: 'c1' },
    { name: 'rebuilt', relation: '"gold__b"."rebuilt"', modelChecksum: 'c1' },
    { name: 'other_db', relation: '"gold__a"."other_db"', modelChecksum: 'c1' },
    { name: 'changed', relation: '"gold__a"."changed"', modelChecksum: 'c2' },
  ];
  const a = candidate(
    'a',
    [table('same', '"gold__a"."same"'), table('rebuilt', '"gold__a"."rebuilt"'), table('other_db', '"gold__a"."other_db"'), table('changed', '"gold__a"."changed"')],
    { same: '"gold__a"."same"', rebuilt: '"gold__a"."rebuilt"', changed: '"gold__a"."changed"' },
  );
  const picked = pickReusedFiles(wanted, [a]);
  assert.deepEqual([...picked.keys()], ['same']);
  assert.equal(picked.get('same')!.path, '/lake/gold/batch=a/same.parquet');
  assert.equal(picked.get('same')!.batchId, 'a');
});

test('the newest candidate holding the relation wins', () => {
  const rel = '"gold__a"."t"';
  const newer = candidate('c', [table('t', rel)], { t: rel });
  const older = candidate('b', [table('t', rel)], { t: rel });
  assert.equal(pickReusedFiles([{ name: 't', relation: rel, modelChecksum: 'c1' }], [newer, older]).get('t')!.batchId, 'c');
  assert.equal(pickReusedFiles([{ name: 't', relation: rel, modelChecksum: 'c1' }], []).size, 0);
});
