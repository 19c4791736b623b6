/** Reads what the catalog says about the roles and layer schemas strata manages. */
import type { Queryable } from '../engine/engine.ts';
import { MANAGED_ROLES_TABLE, type GrantState, type SchemaState } from './plan.ts';

export const MANAGED_ROLES_DDL = `create table if not exists ${MANAGED_ROLES_TABLE} (
  role_name   text primary key,
  since       timestamptz not null default now()
)`;

const TABLE_KINDS = `('r', 'v', 'm', 'f', 'p')`;

function nested<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/**
 * The state `planGrants` diffs against, for `roles` (configured and previously managed)
 * on `schemas` (the layer schemas). Privileges a role holds as an object's owner are not
 * grants and are left out.
 */
export async function readGrantState(db: Queryable, roles: string[], schemas: string[]): Promise<GrantState> {
  const { rows: me } = await db.query<{ cu: string; authid: boolean }>(
    `select current_user as cu, has_table_privilege('pg_catalog.pg_authid', 'select') as authid`,
  );
  const currentUser = me[0]!.cu;

  const managed = new Set((await db.query<{ role_name: string }>(`select role_name from ${MANAGED_ROLES_TABLE}`)).rows.map((r) => r.role_name));
  const names = [...new Set([...roles, ...managed])];

  const roleRows = await db.query<{ rolname: string; rolcanlogin: boolean }>(
    'select rolname, rolcanlogin from pg_catalog.pg_roles where rolname = any($1::text[])',
    [names],
  );
  // Only a superuser can read password hashes; elsewhere (Neon) a given password is always set.
  const passwords = new Map<string, string | null>();
  if (me[0]!.authid) {
    const { rows } = await db.query<{ rolname: string; rolpassword: string | null }>(
      'select rolname, rolpassword from pg_catalog.pg_authid where rolname = any($1::text[])',
      [names],
    );
    for (const r of rows) passwords.set(r.rolname, r.rolpassword);
  }
  const roleState: GrantState['roles'] = new Map(
    roleRows.rows.map((r) => [r.rolname, { canLogin: r.rolcanlogin, ...(me[0]!.authid ? { password: passwords.get(r.rolname) ?? null } : {}) }]),
  );

  const schemaState = new Map<string, SchemaState>();
  const { rows: nsp } = await db.query<{ nspname: string; owner: string; owned: boolean }>(
    `select nspname, pg_get_userbyid(nspowner) as owner, pg_has_role(current_user, nspowner, 'USAGE') as owned
       from pg_catalog.pg_namespace where nspname = any($1::text[])`,
    [schemas],
  );
  for (const n of nsp) {
    schemaState.set(n.nspname, { owner: n.owner, ownedByAdmin: n.owned, privileges: new Map(), relations: [], tables: new Map(), defaults: new Map() });
  }
  const get = (schema: string): SchemaState => schemaState.get(schema)!;

  const schemaAcl = await db.query<{ nspname: string; rolname: string; privilege_type: string }>(
    `select n.nspname, r.rolname, a.privilege_type
       from pg_catalog.pg_namespace n cross join lateral aclexplode(n.nspacl) a
       join pg_catalog.pg_roles r on r.oid = a.grantee
      where n.nspname = any($1::text[]) and r.rolname = any($2::text[]) and a.grantee <> n.nspowner`,
    [schemas, names],
  );
  for (const r of schemaAcl.rows) nested(get(r.nspname).privileges, r.rolname, () => new Set()).add(r.privilege_type);

  const rels = await db.query<{ nspname: string; relname: string }>(
    `select n.nspname, c.relname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1::text[]) and c.relkind in ${TABLE_KINDS} order by 1, 2`,
    [schemas],
  );
  for (const r of rels.rows) get(r.nspname).relations.push(r.relname);

  const tableAcl = await db.query<{ nspname: string; relname: string; rolname: string; privilege_type: string }>(
    `select n.nspname, c.relname, r.rolname, a.privilege_type
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
       cross join lateral aclexplode(c.relacl) a
       join pg_catalog.pg_roles r on r.oid = a.grantee
      where n.nspname = any($1::text[]) and c.relkind in ${TABLE_KINDS}
        and r.rolname = any($2::text[]) and a.grantee <> c.relowner`,
    [schemas, names],
  );
  for (const r of tableAcl.rows) {
    nested(nested(get(r.nspname).tables, r.rolname, () => new Map()), r.relname, () => new Set<string>()).add(r.privilege_type);
  }

  // Default privileges are per creating role: admin's, since admin publishes the views.
  const defaults = await db.query<{ nspname: string; rolname: string; privilege_type: string }>(
    `select n.nspname, r.rolname, a.privilege_type
       from pg_catalog.pg_default_acl d join pg_catalog.pg_namespace n on n.oid = d.defaclnamespace
       cross join lateral aclexplode(d.defaclacl) a
       join pg_catalog.pg_roles r on r.oid = a.grantee
      where d.defaclrole = (select oid from pg_catalog.pg_roles where rolname = current_user)
        and d.defaclobjtype = 'r' and n.nspname = any($1::text[]) and r.rolname = any($2::text[])`,
    [schemas, names],
  );
  for (const r of defaults.rows) nested(get(r.nspname).defaults, r.rolname, () => new Set()).add(r.privilege_type);

  return { currentUser, roles: roleState, managed, schemas: schemaState };
}
