import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryPgliteEngine } from '../engine/pglite.ts';
import { passwordMatches, scramVerifier } from './scram.ts';

test('client-side SCRAM verifiers are exactly what PostgreSQL computes, and are recognised', async () => {
  const db = await createMemoryPgliteEngine();
  try {
    const password = `p'w"; $$ --x`;
    await db.exec(`set password_encryption = 'scram-sha-256'; create role scram_probe login password 'p''w"; $$ --x'`);
    const { rows } = await db.query<{ rolpassword: string }>(`select rolpassword from pg_authid where rolname = 'scram_probe'`);
    const stored = rows[0]!.rolpassword;
    const [, iter, salt] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored)!;
    assert.equal(scramVerifier(password, Buffer.from(salt!, 'base64'), Number(iter)), stored);
    assert.ok(passwordMatches(stored, password, 'scram_probe'));
    assert.ok(!passwordMatches(stored, `${password} `, 'scram_probe'));

    // A verifier we send is stored as given (the server does not hash it again).
    const ours = scramVerifier('s3cret');
    await db.exec(`alter role scram_probe password '${ours}'`);
    const again = await db.query<{ rolpassword: string }>(`select rolpassword from pg_authid where rolname = 'scram_probe'`);
    assert.equal(again.rows[0]!.rolpassword, ours);
    assert.ok(passwordMatches(ours, 's3cret', 'scram_probe'));
  } finally {
    await db.close();
  }
});

test('legacy md5 hashes are compared too; anything else is treated as a change', async () => {
  const db = await createMemoryPgliteEngine();
  try {
    await db.exec(`set password_encryption = 'md5'; create role bob password 'secret'`);
    const { rows } = await db.query<{ rolpassword: string }>(`select rolpassword from pg_authid where rolname = 'bob'`);
    assert.match(rows[0]!.rolpassword, /^md5/);
    assert.ok(passwordMatches(rows[0]!.rolpassword, 'secret', 'bob'));
    assert.ok(!passwordMatches(rows[0]!.rolpassword, 'secret', 'alice'));
  } finally {
    await db.close();
  }
  assert.equal(passwordMatches(null, 'x', 'y'), false);
  assert.equal(passwordMatches('plain', 'plain', 'y'), false);
  assert.throws(() => scramVerifier('pässword'), /ASCII/);
});
