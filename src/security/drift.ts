/**
 * `grants --check`: how the database differs from project.yaml's role matrix, found
 * without changing anything (everything runs in a transaction that is rolled back).
 */
import type { Engine, Queryable } from '../engine/engine.ts';
import { rolledBack } from '../engine/rolled-back.ts';
import type { Project } from '../project/types.ts';
import { MANAGED_ROLES_DDL, readGrantState } from './catalog.ts';
import { MANAGED_ROLES_TABLE, desiredGrants, planGrants } from './plan.ts';

export interface Drift {
  kind: 'privilege' | 'undeclared_role' | 'role_attribute';
  role: string;
  detail: string;
}

/** Attributes that let a role read or change anything, whatever its grants say. */
const DANGEROUS = [
  ['rolsuper', 'SUPERUSER'],
  ['rolcreaterole', 'CREATEROLE'],
  ['rolbypassrls', 'BYPASSRLS'],
] as const;

export async function findDrift(engine: Engine, project: Project, env: Record<string, string | undefined>): Promise<Drift[]> {
  const { roles, layers } = project.config;
  const desired = desiredGrants(roles, layers, env);
  const declared = roles.map((r) => r.name);
  return rolledBack(engine, async (tx) => {
    await tx.query(MANAGED_ROLES_DDL);
    const state = await readGrantState(tx, declared, desired.layerSchemas);
    const drift: Drift[] = [];
    for (const st of planGrants(desired, state)) {
      // Bookkeeping and first-time schema creation are not drift.
      if (st.sql.includes(MANAGED_ROLES_TABLE) || st.sql.startsWith('CREATE SCHEMA')) continue;
      const role = /(?:TO|FROM|ROLE) "([^"]+)"/.exec(st.display)?.[1] ?? '?';
      drift.push({ kind: 'privilege', role, detail: `differs from project.yaml; \`strata grants\` would run: ${st.display}` });
    }
    drift.push(...(await undeclaredAccess(tx, desired.layerSchemas, [...declared, state.currentUser])));
    drift.push(...(await dangerousAttributes(tx, declared)));
    return drift;
  });
}

/** Roles project.yaml does not declare (PUBLIC included) that hold anything on a layer schema or its relations. */
async function undeclaredAccess(tx: Queryable, schemas: string[], known: string[]): Promise<Drift[]> {
  const { rows } = await tx.query<{ role: string; what: string }>(
    `with acl as (
       select n.nspname as schema, null::text as rel, a.grantee, a.privilege_type, n.nspowner as owner
         from pg_catalog.pg_namespace n cross join lateral aclexplode(n.nspacl) a where n.nspname = any($1::text[])
       union all
       select n.nspname, c.relname, a.grantee, a.privilege_type, c.relowner
         from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
         cross join lateral aclexplode(c.relacl) a where n.nspname = any($1::text[])
     )
     select coalesce(r.rolname, 'PUBLIC') as role,
            string_agg(distinct acl.privilege_type || ' on ' || coalesce(quote_ident(acl.schema) || '.' || quote_ident(acl.rel), 'schema ' || quote_ident(acl.schema)), ', ') as what
       from acl left join pg_catalog.pg_roles r on r.oid = acl.grantee
      where acl.grantee <> acl.owner and not (coalesce(r.rolname, 'PUBLIC') = any($2::text[]))
      group by 1 order by 1`,
    [schemas, known],
  );
  return rows.map((r) => ({ kind: 'undeclared_role' as const, role: r.role, detail: `not declared in project.yaml but holds ${r.what}` }));
}

async function dangerousAttributes(tx: Queryable, declared: string[]): Promise<Drift[]> {
  const { rows } = await tx.query<Record<string, unknown> & { rolname: string }>(
    `select rolname, ${DANGEROUS.map(([c]) => c).join(', ')} from pg_catalog.pg_roles where rolname = any($1::text[]) order by rolname`,
    [declared],
  );
  return rows.flatMap((r) => {
    const has = DANGEROUS.filter(([c]) => r[c] === true).map(([, name]) => name);
    return has.length ? [{ kind: 'role_attribute' as const, role: r.rolname, detail: `has ${has.join(', ')}: it can bypass every grant; \`ALTER ROLE "${r.rolname}" NO${has.join(' NO')}\`` }] : [];
  });
}
