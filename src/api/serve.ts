/**
 * `serve`: the read-only HTTP API over the published batch, and the product page. It
 * connects as the project's read role (analytics_user), never as the builder: on a server
 * with that role's login (password from its `password_env`, or STRATA_SERVE_DATABASE_URL),
 * on the embedded engine by switching to the role in every request's transaction.
 */
import type { FastifyInstance } from 'fastify';
import { ExitCode, StrataError, errorMessage } from '../core/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { parseConnection, withServerOptions, withUser, type ConnectionSettings } from '../engine/connection.ts';
import { createPostgresEngine } from '../engine/postgres.ts';
import { maskSecrets } from '../engine/secrets.ts';
import { quoteIdent } from '../engine/quote.ts';
import { projectEnv } from '../project/env.ts';
import { loadProject } from '../project/load.ts';
import type { Project } from '../project/types.ts';
import { buildServer } from '../serve/app.ts';
import { SERVE_DEFAULTS } from '../serve/defaults.ts';
import { loadEndpoints, type Endpoint } from '../serve/endpoints.ts';
import { loadPage } from '../serve/page.ts';
import type { CommonOptions } from './context.ts';
import { openEngine, resolveTarget } from './target.ts';

export interface ServeOptions extends CommonOptions {
  host?: string;
  port?: number;
  /** The role whose grants bound what the API reads (default analytics_user). */
  role?: string;
  statementTimeoutMs?: number;
  rateLimitPerMinute?: number;
  corsOrigins?: string[];
  maxAgeSeconds?: number;
  /** Megabytes of answers kept in memory, each valid while its batch is published (0: none). */
  cacheMb?: number;
  /** Server connections to PostgreSQL. */
  connections?: number;
  /** Server-side errors (already masked). */
  onError?: (message: string) => void;
}

export interface Serving {
  app: FastifyInstance;
  url: string;
  endpoints: Endpoint[];
  /** Where the API reads, safe to print. */
  label: string;
  role: string;
  /** The API's own connection (as the read role; the embedded engine switches role per request). */
  engine: Engine;
  setRole?: string;
  close(): Promise<void>;
}

/** Opens the database as the read role: its own login on a server, SET ROLE on the embedded engine. */
async function openAsRole(o: ServeOptions, project: Project, role: string): Promise<{ engine: Engine; setRole?: string }> {
  const env = projectEnv(project.dir);
  // Every session of the API is read-only and bounded in time from its first statement on. Its
  // prepared statements are planned for their parameters every time: reviews per product are
  // skewed (one product of the 200,000-review set has 11,655), and a generic plan, costed for
  // the average product, reads all of a large product's reviews to sort them (270 ms, not 0.1).
  const session = `-c default_transaction_read_only=on -c statement_timeout=${o.statementTimeoutMs ?? SERVE_DEFAULTS.statementTimeoutMs} -c plan_cache_mode=force_custom_plan`;
  const open = (settings: ConnectionSettings) => ({ engine: createPostgresEngine(withServerOptions(settings, session), { maxConnections: o.connections ?? SERVE_DEFAULTS.connections }) });
  if (env.STRATA_SERVE_DATABASE_URL) return open(parseConnection(env.STRATA_SERVE_DATABASE_URL, { source: 'STRATA_SERVE_DATABASE_URL', env }));
  const target = resolveTarget({ ...o, projectDir: project.dir });
  if (target.kind === 'pglite') return { engine: await openEngine(target), setRole: role };
  const passwordEnv = project.config.roles.find((r) => r.name === role)?.passwordEnv;
  return open(withUser(target.connection, role, passwordEnv ? env[passwordEnv] : undefined));
}

/**
 * Refuses to serve with more than read rights: a superuser, or a role that owns or may
 * create in the schemas the endpoints read, is the builder, not the read role.
 */
async function assertReadOnly(engine: Engine, setRole: string | undefined, schemas: string[]): Promise<string> {
  const { rows } = await engine.transaction(async (tx) => {
    if (setRole) await tx.exec(`set local role ${quoteIdent(setRole)}`);
    return tx.query<{ who: string; superuser: boolean; writes: string | null }>(
      `select current_user as who, r.rolsuper as superuser,
              (select string_agg(s, ', ') from unnest($1::text[]) s
                where to_regnamespace(s) is not null
                  and (has_schema_privilege(current_user, s, 'CREATE') or pg_has_role(current_user, (select nspowner from pg_namespace where nspname = s), 'MEMBER'))) as writes
         from pg_roles r where r.rolname = current_user`,
      [schemas],
    );
  });
  const me = rows[0]!;
  if (me.superuser || me.writes) {
    throw new StrataError(
      `serve connects as ${me.who}, which ${me.superuser ? 'is a superuser' : `owns or may create in ${me.writes}`}: it must read as the read-only role. ` +
        'Set its password_env in the environment, or STRATA_SERVE_DATABASE_URL to a read-only login, and run `strata grants`',
      ExitCode.usage,
    );
  }
  return me.who;
}

export async function serve(o: ServeOptions): Promise<Serving> {
  const project = loadProject(o.projectDir, o.vars !== undefined ? { vars: o.vars } : {});
  const role = o.role ?? SERVE_DEFAULTS.role;
  const endpoints = loadEndpoints(project, role);
  let opened: { engine: Engine; setRole?: string };
  try {
    opened = await openAsRole(o, project, role);
  } catch (err) {
    if (err instanceof StrataError) throw err;
    throw new StrataError(`cannot open the database for serve: ${maskSecrets(errorMessage(err))}`, ExitCode.failed);
  }
  const { engine, setRole } = opened;
  try {
    const schemas = [...new Set(endpoints.flatMap((e) => e.views.map((v) => JSON.parse(v.split('.')[0]!) as string)))];
    let who: string;
    try {
      who = await assertReadOnly(engine, setRole, schemas);
    } catch (err) {
      if (err instanceof StrataError) throw err;
      const hint = setRole ? ` (role ${setRole}: run \`strata grants\`, or build, which applies them)` : '';
      throw new StrataError(`cannot connect to ${engine.label} for serve${hint}: ${maskSecrets(errorMessage(err))}`, ExitCode.failed);
    }
    const columnDocs = new Map([...project.docs].map(([model, d]) => [model, new Map(d.columns.filter((c) => c.description).map((c) => [c.name, c.description!]))]));
    const app = await buildServer({
      engine,
      endpoints,
      columnDocs,
      ...(setRole ? { setRole } : { sessionIsReadRole: true }),
      statementTimeoutMs: o.statementTimeoutMs ?? SERVE_DEFAULTS.statementTimeoutMs,
      rateLimitPerMinute: o.rateLimitPerMinute ?? SERVE_DEFAULTS.rateLimitPerMinute,
      corsOrigins: o.corsOrigins ?? [],
      maxAgeSeconds: o.maxAgeSeconds ?? SERVE_DEFAULTS.maxAgeSeconds,
      cacheBytes: (o.cacheMb ?? SERVE_DEFAULTS.cacheMb) * 1024 * 1024,
      freshnessHours: project.config.health.goldFreshnessHours,
      page: loadPage(),
      title: `${project.config.name} API`,
      onError: (m) => o.onError?.(maskSecrets(m)),
    });
    const url = await app.listen({ host: o.host ?? SERVE_DEFAULTS.host, port: o.port ?? SERVE_DEFAULTS.port });
    return {
      app,
      url,
      endpoints,
      label: engine.label,
      role: who,
      engine,
      ...(setRole ? { setRole } : {}),
      async close() {
        await app.close();
        await engine.close();
      },
    };
  } catch (err) {
    await engine.close();
    throw err;
  }
}
