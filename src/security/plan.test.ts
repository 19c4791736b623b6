import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerConfig, RoleConfig } from '../project/types.ts';
import { desiredGrants, planGrants, type GrantState, type SchemaState } from './plan.ts';
import { scramVerifier } from './scram.ts';

const layers: LayerConfig[] = ['bronze', 'silver', 'gold'].map((name) => ({ name, schema: name, materialized: 'table', export: false }));
const roles: RoleConfig[] = [
  { name: 'etl_user', read: [], write: ['bronze', 'silver', 'gold'], passwordEnv: 'ETL_PW' },
  { name: 'data_scientist', read: ['silver', 'gold'], write: [] },
  { name: 'analytics_user', read: ['gold'], write: [], passwordEnv: 'AN_PW' },
];

const schema = (relations: string[], over: Partial<SchemaState> = {}): SchemaState => ({
  owner: 'admin', ownedByAdmin: true, privileges: new Map(), relations, tables: new Map(), defaults: new Map(), ...over,
});
const empty = (): GrantState => ({ currentUser: 'admin', roles: new Map(), managed: new Set(), schemas: new Map() });

test('a fresh database: roles created, usage + table + default privileges per layer, never CREATE', () => {
  const state = empty();
  for (const s of ['bronze', 'silver', 'gold']) state.schemas.set(s, schema(['t1', 'v1']));
  const plan = planGrants(desiredGrants(roles, layers, { ETL_PW: "it's; $$ secret" }), state);
  const sql = plan.map((p) => p.display);
  assert.ok(sql.includes(`CREATE ROLE "etl_user" LOGIN PASSWORD '****'`));
  assert.ok(sql.includes(`CREATE ROLE "data_scientist" NOLOGIN`));
  assert.ok(sql.includes(`CREATE ROLE "analytics_user" NOLOGIN`), 'no password in the environment: NOLOGIN');
  assert.ok(sql.includes(`GRANT SELECT ON ALL TABLES IN SCHEMA "gold" TO "analytics_user"`));
  assert.ok(sql.includes(`ALTER DEFAULT PRIVILEGES IN SCHEMA "gold" GRANT SELECT ON TABLES TO "analytics_user"`));
  // Published views are read-only for every role, writers included.
  assert.ok(sql.includes(`GRANT SELECT ON ALL TABLES IN SCHEMA "bronze" TO "etl_user"`));
  assert.ok(!sql.some((s) => /GRANT[^;]*(INSERT|UPDATE|DELETE)/.test(s)), 'no role may change published rows');
  assert.ok(!sql.some((s) => /"silver" TO "analytics_user"|"bronze" TO "data_scientist"/.test(s)));
  assert.ok(!plan.some((p) => /GRANT[^;]*CREATE/.test(p.sql)), 'CREATE is never granted');
  // The password never appears in any form: the statement carries a SCRAM verifier.
  const create = plan.find((p) => p.sql.startsWith('CREATE ROLE "etl_user"'))!;
  assert.match(create.sql, /PASSWORD 'SCRAM-SHA-256\$4096:/);
  assert.ok(!plan.some((p) => p.sql.includes('secret') || p.display.includes('SCRAM')));
});

test('a database that already matches needs no statements; a changed password and a dropped layer do', () => {
  const desired = desiredGrants(roles, layers, { ETL_PW: 'pw1', AN_PW: 'pw2' });
  const state = empty();
  state.managed = new Set(roles.map((r) => r.name));
  state.roles.set('etl_user', { canLogin: true, password: scramVerifier('pw1') });
  state.roles.set('data_scientist', { canLogin: false, password: null });
  state.roles.set('analytics_user', { canLogin: true, password: scramVerifier('pw2') });
  for (const s of ['bronze', 'silver', 'gold']) {
    const sch = schema(['t']);
    for (const r of desired.roles) {
      const want = r.schemas.get(s);
      if (!want) continue;
      sch.privileges.set(r.name, new Set(['USAGE']));
      sch.tables.set(r.name, new Map([['t', new Set(want)]]));
      sch.defaults.set(r.name, new Set(want));
    }
    state.schemas.set(s, sch);
  }
  assert.deepEqual(planGrants(desired, state), []);

  state.roles.set('analytics_user', { canLogin: true, password: scramVerifier('old') });
  const moved = roles.map((r) => (r.name === 'data_scientist' ? { ...r, read: ['gold'] } : r));
  const sql = planGrants(desiredGrants(moved, layers, { ETL_PW: 'pw1', AN_PW: 'pw2' }), state).map((p) => p.display);
  assert.deepEqual(sql, [
    `REVOKE USAGE ON SCHEMA "silver" FROM "data_scientist"`,
    `REVOKE SELECT ON ALL TABLES IN SCHEMA "silver" FROM "data_scientist"`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA "silver" REVOKE SELECT ON TABLES FROM "data_scientist"`,
    `ALTER ROLE "analytics_user" PASSWORD '****'`,
  ]);
});

test('a role removed from project.yaml loses its grants; a hand-given CREATE is revoked; admin cannot be a role', () => {
  const state = empty();
  state.managed = new Set(['old_role']);
  state.roles.set('old_role', { canLogin: true });
  state.schemas.set('gold', schema(['t'], {
    privileges: new Map([['old_role', new Set(['USAGE', 'CREATE'])]]),
    tables: new Map([['old_role', new Map([['t', new Set(['SELECT', 'TRUNCATE'])]])]]),
  }));
  const sql = planGrants(desiredGrants([], layers, {}), state).map((p) => p.sql);
  assert.deepEqual(sql, [
    `REVOKE USAGE ON SCHEMA "gold" FROM "old_role"`,
    `REVOKE CREATE ON SCHEMA "gold" FROM "old_role"`,
    `REVOKE SELECT, TRUNCATE ON ALL TABLES IN SCHEMA "gold" FROM "old_role"`,
    `DELETE FROM strata.managed_roles WHERE role_name = 'old_role'`,
  ]);
  assert.throws(() => planGrants(desiredGrants([{ name: 'admin', read: ['gold'], write: [] }], layers, {}), empty()), /the user strata connects as \(admin\)/);
  const foreign = empty();
  foreign.schemas.set('gold', schema([], { owner: 'someone', ownedByAdmin: false }));
  assert.throws(() => planGrants(desiredGrants(roles, layers, {}), foreign), /owned by someone/);
});

test('names are quoted: a hostile role name stays one identifier', () => {
  const evil: RoleConfig[] = [{ name: 'x"; drop table t; --', read: ['gold'], write: [] }];
  const plan = planGrants(desiredGrants(evil, layers, {}), empty());
  assert.ok(plan.some((p) => p.sql === `CREATE ROLE "x""; drop table t; --" NOLOGIN`));
  assert.ok(plan.some((p) => p.sql === `INSERT INTO strata.managed_roles (role_name) VALUES ('x"; drop table t; --') ON CONFLICT DO NOTHING`));
});
