import { projectEnv } from '../project/env.ts';
import type { Engine } from '../engine/engine.ts';
import type { Project } from '../project/types.ts';
import { MANAGED_ROLES_DDL, readGrantState } from './catalog.ts';
import { desiredGrants, planGrants } from './plan.ts';

export interface GrantsResult {
  /** The roles declared in project.yaml. */
  roles: string[];
  /** Statements executed (0 when the database already matched). */
  statements: number;
  /** What changed, safe to print (passwords masked). */
  changes: string[];
  /** False on PGlite: one embedded user, no logins, so nothing is enforced against anyone. */
  enforced: boolean;
  note?: string;
}

const PGLITE_NOTE =
  'PGlite is a single-user embedded database with no logins: the roles and grants are recorded in its catalog but enforced against no one';

/**
 * Makes the roles and privileges of the database match project.yaml, in one transaction
 * (all or nothing). Passwords come from each role's `password_env`, read from the
 * environment (and the project's .env); they are never logged or returned.
 */
export async function applyGrants(
  engine: Engine,
  project: Project,
  opts: { env?: Record<string, string | undefined> } = {},
): Promise<GrantsResult> {
  const { roles, layers } = project.config;
  const desired = desiredGrants(roles, layers, opts.env ?? projectEnv(project.dir));
  const changes = await engine.transaction(async (tx) => {
    // One grants run at a time per database (two would race to create the same role).
    await tx.query('select pg_advisory_xact_lock(7240118)');
    await tx.query(MANAGED_ROLES_DDL);
    const state = await readGrantState(tx, roles.map((r) => r.name), desired.layerSchemas);
    const plan = planGrants(desired, state);
    for (const st of plan) {
      try {
        await tx.query(st.sql);
      } catch (err) {
        // The error names the masked statement: the SQL may hold a password verifier.
        throw new Error(`grants: ${st.display}: ${(err as Error).message}`);
      }
    }
    return plan.map((s) => s.display);
  });
  return {
    roles: roles.map((r) => r.name),
    statements: changes.length,
    changes,
    enforced: engine.kind === 'postgres',
    ...(engine.kind === 'pglite' ? { note: PGLITE_NOTE } : {}),
  };
}
