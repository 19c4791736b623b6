/**
 * Grants as data: what project.yaml asks for (`DesiredGrants`), what the catalog says
 * (`GrantState`), and the statements that turn one into the other (`planGrants`). Pure:
 * no database, no environment, so every rule here is unit-testable.
 *
 * The model: the connecting user ("admin") owns the published layer schemas and every
 * view in them. A role gets, per layer it may touch, USAGE on the layer's published
 * schema, table privileges on every relation in it, and the same as default privileges
 * for relations admin creates there later (the next publish). Published views run with
 * admin's rights, so no role needs anything on the batches' physical schemas. No role is
 * ever given CREATE on a layer schema or ownership of anything: only admin can create,
 * replace or drop there. Published data is audited data: it is read-only for every role,
 * writers included (a `write` role changes data by running strata builds, never by
 * writing into the published views), so INSERT/UPDATE/DELETE there is always revoked.
 */
import { quoteIdent, quoteLiteral } from '../engine/quote.ts';
import type { LayerConfig, RoleConfig } from '../project/types.ts';
import { hashableClientSide, passwordMatches, scramVerifier } from './scram.ts';

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';
export const READ: readonly TablePrivilege[] = ['SELECT'];
/** Order privileges are written in, so plans are stable. */
const ORDER = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'];

/** strata's record of the roles it manages in this database (so dropping one from project.yaml revokes it). */
export const MANAGED_ROLES_TABLE = 'strata.managed_roles';

export interface DesiredRole {
  name: string;
  /** From the role's `password_env`, when set (non-empty) in the environment. */
  password?: string;
  /** published schema → table privileges */
  schemas: Map<string, Set<TablePrivilege>>;
}

export interface DesiredGrants {
  roles: DesiredRole[];
  /** Every published layer schema of the project: the only schemas strata grants or revokes on. */
  layerSchemas: string[];
}

export interface RoleState {
  canLogin: boolean;
  /** pg_authid.rolpassword; `undefined` when the catalog cannot be read (not a superuser). */
  password?: string | null;
}

export interface SchemaState {
  owner: string;
  /** Whether the connecting user is (a member of) the owner, i.e. may grant on it. */
  ownedByAdmin: boolean;
  /** role → schema privileges held (USAGE, CREATE) */
  privileges: Map<string, Set<string>>;
  relations: string[];
  /** role → relation → privileges held */
  tables: Map<string, Map<string, Set<string>>>;
  /** role → privileges admin's default ACL in this schema gives it on new tables/views */
  defaults: Map<string, Set<string>>;
}

export interface GrantState {
  /** The connecting user: admin. */
  currentUser: string;
  roles: Map<string, RoleState>;
  managed: Set<string>;
  /** Layer schemas that exist. */
  schemas: Map<string, SchemaState>;
}

export interface GrantStatement {
  sql: string;
  /** The statement safe to print: password literals replaced by '****'. */
  display: string;
}

/** Resolves project.yaml roles against the environment (`password_env`). */
export function desiredGrants(
  roles: readonly RoleConfig[],
  layers: readonly LayerConfig[],
  env: Record<string, string | undefined>,
): DesiredGrants {
  const schemaOf = new Map(layers.map((l) => [l.name, l.schema]));
  return {
    layerSchemas: [...new Set(layers.map((l) => l.schema))],
    roles: roles.map((r) => {
      const schemas = new Map<string, Set<TablePrivilege>>();
      const add = (layer: string, privs: readonly TablePrivilege[]): void => {
        const schema = schemaOf.get(layer);
        if (!schema) throw new Error(`role ${r.name}: unknown layer ${JSON.stringify(layer)}`);
        const set = schemas.get(schema) ?? new Set<TablePrivilege>();
        for (const p of privs) set.add(p);
        schemas.set(schema, set);
      };
      for (const l of [...r.read, ...r.write]) add(l, READ);
      const password = r.passwordEnv ? env[r.passwordEnv] : undefined;
      return { name: r.name, schemas, ...(password ? { password } : {}) };
    }),
  };
}

const sorted = (privs: Iterable<string>): string[] => [...privs].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
const plain = (sql: string): GrantStatement => ({ sql, display: sql });

/** `PASSWORD '…'`: a SCRAM verifier when it can be computed here, else the server hashes the literal. */
function passwordClause(password: string): GrantStatement {
  const secret = hashableClientSide(password) ? scramVerifier(password) : password;
  return { sql: `PASSWORD ${quoteLiteral(secret)}`, display: `PASSWORD '****'` };
}

function roleStatements(role: DesiredRole, state: RoleState | undefined): GrantStatement[] {
  const name = quoteIdent(role.name);
  if (!state) {
    if (!role.password) return [plain(`CREATE ROLE ${name} NOLOGIN`)];
    const pw = passwordClause(role.password);
    return [{ sql: `CREATE ROLE ${name} LOGIN ${pw.sql}`, display: `CREATE ROLE ${name} LOGIN ${pw.display}` }];
  }
  // Without the password in this environment an existing role's login is left as it is:
  // a cron job lacking ANALYTICS_USER_PASSWORD must not lock the analysts out.
  if (!role.password) return [];
  const unchanged = state.password !== undefined && passwordMatches(state.password, role.password, role.name);
  if (state.canLogin && unchanged) return [];
  const head = `ALTER ROLE ${name}${state.canLogin ? '' : ' LOGIN'}`;
  if (unchanged) return [plain(head)];
  const pw = passwordClause(role.password);
  return [{ sql: `${head} ${pw.sql}`, display: `${head} ${pw.display}` }];
}

function schemaStatements(schema: string, role: string, want: Set<TablePrivilege>, s: SchemaState | undefined): GrantStatement[] {
  const out: GrantStatement[] = [];
  const sch = quoteIdent(schema);
  const who = quoteIdent(role);
  const has = s?.privileges.get(role) ?? new Set<string>();
  if (want.size > 0 && !has.has('USAGE')) out.push(plain(`GRANT USAGE ON SCHEMA ${sch} TO ${who}`));
  if (want.size === 0 && has.has('USAGE')) out.push(plain(`REVOKE USAGE ON SCHEMA ${sch} FROM ${who}`));
  // Only admin creates in a layer schema; a CREATE given by hand would let a role shadow views.
  if (has.has('CREATE')) out.push(plain(`REVOKE CREATE ON SCHEMA ${sch} FROM ${who}`));

  const held = s?.tables.get(role) ?? new Map<string, Set<string>>();
  const missing = new Set<string>();
  const extra = new Set<string>();
  for (const rel of s?.relations ?? []) {
    const h = held.get(rel) ?? new Set<string>();
    for (const p of want) if (!h.has(p)) missing.add(p);
  }
  for (const h of held.values()) for (const p of h) if (!want.has(p as TablePrivilege)) extra.add(p);
  if (missing.size) out.push(plain(`GRANT ${sorted(missing).join(', ')} ON ALL TABLES IN SCHEMA ${sch} TO ${who}`));
  if (extra.size) out.push(plain(`REVOKE ${sorted(extra).join(', ')} ON ALL TABLES IN SCHEMA ${sch} FROM ${who}`));

  const defaults = s?.defaults.get(role) ?? new Set<string>();
  const dMissing = sorted([...want].filter((p) => !defaults.has(p)));
  const dExtra = sorted([...defaults].filter((p) => !want.has(p as TablePrivilege)));
  if (dMissing.length) out.push(plain(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${sch} GRANT ${dMissing.join(', ')} ON TABLES TO ${who}`));
  if (dExtra.length) out.push(plain(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${sch} REVOKE ${dExtra.join(', ')} ON TABLES FROM ${who}`));
  return out;
}

/**
 * The statements that make the database match `desired`, in order; none when it already
 * does. Roles strata managed before but no longer in project.yaml lose everything on the
 * layer schemas; they are not dropped (roles are cluster-wide and may own things elsewhere).
 */
export function planGrants(desired: DesiredGrants, state: GrantState): GrantStatement[] {
  const out: GrantStatement[] = [];
  for (const role of desired.roles) {
    if (role.name === state.currentUser) {
      throw new Error(`project.yaml roles.${role.name}: that is the user strata connects as (admin), which owns every layer already`);
    }
    for (const [schema, s] of state.schemas) {
      if (s.owner === role.name) throw new Error(`project.yaml roles.${role.name}: that role owns schema ${schema}; strata grants only to roles that own nothing there`);
    }
  }
  const wanted = desired.roles.filter((r) => r.schemas.size > 0);
  for (const schema of desired.layerSchemas) {
    const s = state.schemas.get(schema);
    if (s && !s.ownedByAdmin) {
      throw new Error(`schema ${schema} is owned by ${s.owner}: run grants as that owner (connected as ${state.currentUser})`);
    }
    // Granting before the first publish: the schema is created now so its default privileges cover the first views.
    if (!s && wanted.some((r) => r.schemas.has(schema))) out.push(plain(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`));
  }

  for (const role of desired.roles) {
    out.push(...roleStatements(role, state.roles.get(role.name)));
    if (!state.managed.has(role.name)) {
      out.push(plain(`INSERT INTO ${MANAGED_ROLES_TABLE} (role_name) VALUES (${quoteLiteral(role.name)}) ON CONFLICT DO NOTHING`));
    }
    for (const schema of desired.layerSchemas) {
      out.push(...schemaStatements(schema, role.name, role.schemas.get(schema) ?? new Set(), state.schemas.get(schema)));
    }
  }

  const configured = new Set(desired.roles.map((r) => r.name));
  for (const gone of [...state.managed].filter((r) => !configured.has(r)).sort()) {
    if (state.roles.has(gone)) {
      for (const schema of desired.layerSchemas) out.push(...schemaStatements(schema, gone, new Set(), state.schemas.get(schema)));
    }
    out.push(plain(`DELETE FROM ${MANAGED_ROLES_TABLE} WHERE role_name = ${quoteLiteral(gone)}`));
  }
  return out;
}
