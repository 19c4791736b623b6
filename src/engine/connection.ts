/**
 * Connection settings, owned here and nowhere else: a `postgres://` URL or a libpq
 * `key=value` string is parsed once, completed from the `PG*` variables as libpq does,
 * and resolved to the host that is really dialled and the TLS mode that really applies.
 *
 * The password never becomes part of a string strata builds: it is kept beside the
 * settings (not in them), so printing, logging or serialising settings cannot reveal it,
 * and a target is described as `host:port/db (user)`. Errors about a connection string
 * say what is wrong without quoting it, since any part of it may be a password.
 */
import { isIP } from 'node:net';
import { userInfo } from 'node:os';
import { ExitCode, StrataError } from '../core/errors.ts';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];
export const CHANNEL_BINDINGS = ['disable', 'prefer', 'require'] as const;
export type ChannelBinding = (typeof CHANNEL_BINDINGS)[number];
const SSL_NEGOTIATIONS = ['postgres', 'direct'] as const;

export interface ConnectionSettings {
  /** Where the settings came from, for messages: `DATABASE_URL`, `--database-url`, … */
  readonly source: string;
  /** The server's name (libpq `host`): TLS verifies it. A path means a Unix socket directory. */
  readonly host: string;
  /** The numeric address dialled instead of resolving `host` (libpq `hostaddr`). */
  readonly hostaddr?: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly sslmode: SslMode;
  readonly channelBinding: ChannelBinding;
  readonly sslNegotiation: (typeof SSL_NEGOTIATIONS)[number];
  readonly sslrootcert?: string;
  readonly sslcert?: string;
  readonly sslkey?: string;
  readonly applicationName?: string;
  readonly options?: string;
  readonly connectTimeoutSeconds?: number;
  /** Where the password came from (the string or PGPASSWORD), when there is one; never the password. */
  readonly passwordSource?: string;
  /** Whether the dialled address is this machine (loopback or a Unix socket). */
  readonly local: boolean;
  /** Said before connecting, e.g. plaintext to a remote host because sslmode=disable was asked. */
  readonly warnings: readonly string[];
}

/** Passwords live beside their settings, never in them: no serialisation or inspection reaches them. */
const passwords = new WeakMap<ConnectionSettings, string>();

/** The password to send, for the one caller that needs it (the driver configuration). */
export function passwordOf(settings: ConnectionSettings): string | undefined {
  return passwords.get(settings);
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** libpq's environment variables and the keyword each one supplies when the string does not. */
const ENV_KEYWORDS: Record<string, string> = {
  PGHOST: 'host',
  PGHOSTADDR: 'hostaddr',
  PGPORT: 'port',
  PGDATABASE: 'dbname',
  PGUSER: 'user',
  PGPASSWORD: 'password',
  PGSSLMODE: 'sslmode',
  PGCHANNELBINDING: 'channel_binding',
  PGSSLNEGOTIATION: 'sslnegotiation',
  PGSSLROOTCERT: 'sslrootcert',
  PGSSLCERT: 'sslcert',
  PGSSLKEY: 'sslkey',
  PGAPPNAME: 'application_name',
  PGCONNECT_TIMEOUT: 'connect_timeout',
  PGOPTIONS: 'options',
};

/** Keywords strata understands; `ssl` is node-postgres' spelling, `uselibpqcompat` its switch. */
const KEYWORDS = [
  'host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'sslmode', 'ssl', 'channel_binding', 'sslnegotiation',
  'sslrootcert', 'sslcert', 'sslkey', 'application_name', 'connect_timeout', 'options', 'uselibpqcompat',
] as const;
/** URI spellings libpq accepts for its keywords. */
const ALIASES: Record<string, string> = { database: 'dbname', username: 'user' };

interface Value {
  value: string;
  /** Who said it: the string (`DATABASE_URL`) or a variable (`PGSSLMODE`). */
  from: string;
}

const ENCODING_HINT = 'percent-encode special characters of the user name and password (@ as %40, # as %23, / as %2F, ? as %3F, % as %25, e.g. with encodeURIComponent)';

function fail(source: string, problem: string): never {
  // The value is never repeated: any part of it may be a password.
  throw new StrataError(`${source}: ${problem}`, ExitCode.usage);
}

/** A word worth naming in an error: keywords are, arbitrary text (maybe part of a password) is not. */
const nameable = (word: string): string => (/^[a-z_]{1,40}$/.test(word) ? `\`${word}\`` : 'a parameter');

function decode(source: string, text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(source, `the ${what} has a % that does not start a valid %XX escape: ${ENCODING_HINT}`);
  }
}

/** `postgres://user:password@host:port/dbname?key=value&…` as libpq reads it. */
function parseUri(source: string, text: string): Map<string, string> {
  const out = new Map<string, string>();
  const rest = text.replace(/^postgres(?:ql)?:\/\//i, '');
  if (rest.includes('#')) fail(source, `a raw # is not allowed in a connection URL: ${ENCODING_HINT}`);
  // The authority ends at the first / or ?; a raw @ inside it may belong to the password.
  const authorityEnd = (from: number): number => {
    const i = rest.slice(from).search(/[/?]/);
    return i === -1 ? rest.length : from + i;
  };
  const at = rest.slice(0, authorityEnd(0)).lastIndexOf('@');
  const userinfo = at === -1 ? null : rest.slice(0, at);
  const hostStart = at + 1;
  const end = authorityEnd(hostStart);
  const hostport = rest.slice(hostStart, end);
  const tail = rest.slice(end);
  // An @ after the host means a password cut short by an unencoded / or ?.
  if (tail.includes('@')) fail(source, `the URL has an @ after its host: ${ENCODING_HINT}`);
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    if (user) out.set('user', decode(source, user, 'user name'));
    if (colon !== -1) out.set('password', decode(source, userinfo.slice(colon + 1), 'password'));
  }
  if (hostport) {
    if (hostport.includes(',')) fail(source, 'several hosts are not supported: name one host');
    const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostport)!;
    const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : decode(source, m[1]!, 'host');
    if (host) out.set('host', host);
    if (m[2] !== undefined && m[2] !== '') out.set('port', m[2]);
  }
  const q = tail.indexOf('?');
  const path = q === -1 ? tail : tail.slice(0, q);
  if (path.length > 1) out.set('dbname', decode(source, path.slice(1), 'database name'));
  if (q !== -1) {
    for (const pair of tail.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq === -1) fail(source, `a query parameter has no value (expected key=value)`);
      const key = decode(source, pair.slice(0, eq), 'query');
      out.set(ALIASES[key] ?? key, decode(source, pair.slice(eq + 1), `value of ${nameable(key)}`));
    }
  }
  return out;
}

/** libpq's `key=value key2='quoted \' value'` form. */
function parseKeywordValue(source: string, text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  const space = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (space(); i < text.length; space()) {
    const keyStart = i;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
    const key = text.slice(keyStart, i);
    space();
    if (!key || text[i] !== '=') fail(source, `expected keyword=value at character ${keyStart + 1} (a value with spaces or quotes is written 'in single quotes', with \\' and \\\\ inside)`);
    i++;
    space();
    let value = '';
    if (text[i] === "'") {
      i++;
      for (;;) {
        if (i >= text.length) fail(source, `the quoted value of ${nameable(key)} has no closing quote`);
        const c = text[i++]!;
        if (c === "'") break;
        value += c === '\\' && i < text.length ? text[i++]! : c;
      }
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        const c = text[i++]!;
        value += c === '\\' && i < text.length ? text[i++]! : c;
      }
    }
    out.set(key, value);
  }
  return out;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** This machine: loopback names and addresses, and Unix sockets. Anything else is remote. */
export function isLocalHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === '' || h === 'localhost' || h === '::1' || LOOPBACK_V4.test(h) || h === '::ffff:127.0.0.1' || h.startsWith('/');
}

function oneOf<T extends string>(source: string, key: string, v: Value | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v.value)) {
    // Enum values are not secrets, but a mistyped one could be anything: name the key only.
    fail(v.from === source ? source : v.from, `${key} must be one of ${allowed.join(', ')}`);
  }
  return v.value as T;
}

function integer(v: Value | undefined, key: string, min: number, max: number): number | undefined {
  if (v === undefined || v.value === '') return undefined;
  const n = /^\d+$/.test(v.value) ? Number(v.value) : NaN;
  if (!(n >= min && n <= max)) fail(v.from, `${key} must be a whole number from ${min} to ${max}`);
  return n;
}

export interface ParseOptions {
  /** What the text is called in messages: `DATABASE_URL`, `--database-url`… */
  source: string;
  /** The `PG*` variables to complete it from (libpq does the same). */
  env?: Environment;
}

/**
 * Parses and resolves a connection string. Throws a usage error that never quotes the
 * string when it is malformed, names an unknown parameter, or would reach a remote host
 * in plaintext without an explicit `sslmode=disable`.
 */
export function parseConnection(text: string, opts: ParseOptions): ConnectionSettings {
  const { source } = opts;
  const env = opts.env ?? {};
  const trimmed = text.trim();
  let given: Map<string, string>;
  if (/^postgres(?:ql)?:\/\//i.test(trimmed)) given = parseUri(source, trimmed);
  else if (/^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(trimmed)) given = parseKeywordValue(source, trimmed);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) fail(source, 'a connection URL starts with postgres:// or postgresql://');
  else fail(source, 'not a connection string: expected postgres://user:password@host:port/dbname or libpq key=value pairs (the value is not shown here, it may hold a password)');

  const values = new Map<string, Value>();
  for (const [key, value] of given) {
    if (!(KEYWORDS as readonly string[]).includes(key)) {
      // After a password, an unknown word may be the rest of it (unquoted space, raw &): never named.
      const which = values.has('password') ? 'an unknown parameter after the password (quote a password with spaces, percent-encode & in a URL)' : `unknown connection parameter ${nameable(key)}`;
      fail(source, `${which} (known: ${KEYWORDS.filter((k) => k !== 'uselibpqcompat').join(', ')})`);
    }
    values.set(key, { value, from: source });
  }
  for (const [variable, key] of Object.entries(ENV_KEYWORDS)) {
    const value = env[variable];
    if (value !== undefined && value !== '' && !values.has(key)) values.set(key, { value, from: variable });
  }
  const get = (key: string): string | undefined => values.get(key)?.value || undefined;

  const host = get('host') ?? 'localhost';
  if (host.includes(',')) fail(values.get('host')!.from, 'several hosts are not supported: name one host');
  const hostaddr = get('hostaddr');
  if (hostaddr !== undefined && isIP(hostaddr) === 0) fail(values.get('hostaddr')!.from, 'hostaddr must be a numeric IP address');
  const port = integer(values.get('port'), 'port', 1, 65535) ?? 5432;
  const user = get('user') ?? osUser();
  const database = get('dbname') ?? user;
  const dialled = hostaddr ?? host;
  const local = isLocalHost(dialled);
  const socket = dialled.startsWith('/');

  const explicitMode = oneOf(source, 'sslmode', values.get('sslmode'), SSL_MODES);
  const ssl = values.get('ssl');
  let sslFlag: boolean | undefined;
  if (ssl !== undefined) {
    if (['true', '1', 'no-verify'].includes(ssl.value)) sslFlag = true;
    else if (['false', '0'].includes(ssl.value)) sslFlag = false;
    else fail(source, 'ssl must be true, false, 1, 0 or no-verify (better: sslmode=require)');
    if (explicitMode !== undefined && (explicitMode === 'disable') === sslFlag) {
      fail(source, `ssl=${ssl.value} and sslmode=${explicitMode} contradict each other: keep only sslmode`);
    }
  }
  const sslmode: SslMode = explicitMode ?? (sslFlag === true ? 'require' : sslFlag === false ? 'disable' : local ? 'disable' : 'require');
  const channelBinding = oneOf(source, 'channel_binding', values.get('channel_binding'), CHANNEL_BINDINGS) ?? 'prefer';
  const sslNegotiation = oneOf(source, 'sslnegotiation', values.get('sslnegotiation'), SSL_NEGOTIATIONS) ?? 'postgres';
  const encrypted = sslmode !== 'disable' && !socket;

  const warnings: string[] = [];
  const where = `${hostaddr && hostaddr !== host ? `${host} (${hostaddr})` : host}:${port}`;
  if (!local && sslmode === 'disable') {
    if (explicitMode !== 'disable') {
      fail(
        source,
        `refusing to connect to ${where} without TLS: ${ssl ? `ssl=${ssl.value}` : 'the settings'} turn TLS off for a remote host. ` +
          'Use sslmode=require (or verify-full); to really send the password and data in plaintext, say sslmode=disable',
      );
    }
    warnings.push(`connecting to ${where} WITHOUT TLS (sslmode=disable from ${values.get('sslmode')!.from}): the password and all data cross the network in plaintext`);
  }
  if (channelBinding === 'require' && !encrypted) {
    fail(source, `channel_binding=require needs TLS, but ${socket ? 'a Unix socket has none' : 'sslmode=disable'}`);
  }
  if (sslNegotiation === 'direct' && !encrypted) fail(source, 'sslnegotiation=direct needs TLS, but sslmode=disable');

  const password = values.get('password');
  const connectTimeoutSeconds = integer(values.get('connect_timeout'), 'connect_timeout', 0, 86_400);
  const settings: ConnectionSettings = Object.freeze({
    source,
    host,
    ...(hostaddr ? { hostaddr } : {}),
    port,
    database,
    user,
    sslmode,
    channelBinding,
    sslNegotiation,
    ...optional('sslrootcert', get('sslrootcert')),
    ...optional('sslcert', get('sslcert')),
    ...optional('sslkey', get('sslkey')),
    ...optional('applicationName', get('application_name')),
    ...optional('options', get('options')),
    ...(connectTimeoutSeconds !== undefined ? { connectTimeoutSeconds } : {}),
    ...(password ? { passwordSource: password.from } : {}),
    local,
    warnings: Object.freeze(warnings),
  });
  if (password) passwords.set(settings, password.value);
  return settings;
}

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  (value !== undefined ? { [key]: value } : {}) as Partial<Record<K, string>>;

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'postgres';
  }
}

/** How a target is shown to people and written to files: `host:port/db (user)`, never the URL. */
export function describeConnection(s: ConnectionSettings): string {
  const host = s.host.includes(':') && !s.host.startsWith('/') ? `[${s.host}]` : s.host;
  const dialled = s.hostaddr && s.hostaddr !== s.host ? ` (${s.hostaddr})` : '';
  return `${host}${dialled}:${s.port}/${s.database} (${s.user})`;
}

/** The same settings with another host (and password kept): e.g. Neon's direct endpoint. */
export function withHost(s: ConnectionSettings, host: string): ConnectionSettings {
  return withChanges(s, { host });
}

/** The same settings giving up on connecting sooner (password kept): for bounded checks like `health`. */
export function withConnectTimeout(s: ConnectionSettings, seconds: number): ConnectionSettings {
  return withChanges(s, { connectTimeoutSeconds: Math.max(1, Math.min(s.connectTimeoutSeconds || Infinity, Math.ceil(seconds))) });
}

function withChanges(s: ConnectionSettings, changes: Partial<ConnectionSettings>): ConnectionSettings {
  const copy: ConnectionSettings = Object.freeze({ ...s, ...changes, warnings: s.warnings });
  const password = passwords.get(s);
  if (password !== undefined) passwords.set(copy, password);
  return copy;
}

/** The same endpoint as another user: `serve` connects as the read role, with that role's password (or none). */
export function withUser(s: ConnectionSettings, user: string, password: string | undefined): ConnectionSettings {
  const copy: ConnectionSettings = Object.freeze({ ...s, user, warnings: s.warnings, ...(password ? {} : { passwordSource: undefined }) });
  if (password) passwords.set(copy, password);
  return copy;
}

/** The same settings with server options added (libpq's `options`, e.g. `-c statement_timeout=2000`). */
export function withServerOptions(s: ConnectionSettings, options: string): ConnectionSettings {
  const copy: ConnectionSettings = Object.freeze({ ...s, options: [s.options, options].filter(Boolean).join(' '), warnings: s.warnings });
  const password = passwords.get(s);
  if (password !== undefined) passwords.set(copy, password);
  return copy;
}

/** Neon's pooled endpoint is the direct one with `-pooler` in its first host label. */
const unpooled = (host: string): string => {
  const [first, ...rest] = host.toLowerCase().split('.');
  return [first!.replace(/-pooler$/, ''), ...rest].join('.');
};

/**
 * Session work (postgres-migrations' advisory lock) must not go through a transaction-mode
 * pooler: the direct endpoint of a Neon `-pooler` host, or null.
 */
export function neonDirectFor(s: ConnectionSettings): ConnectionSettings | null {
  const direct = unpooled(s.host);
  return direct !== s.host.toLowerCase() ? withHost(s, direct) : null;
}

/** Whether two settings name the same host, port and database (a Neon pooler and its direct endpoint count as one). */
export function sameEndpoint(a: ConnectionSettings, b: ConnectionSettings): boolean {
  return unpooled(a.hostaddr ?? a.host) === unpooled(b.hostaddr ?? b.host) && a.port === b.port && a.database === b.database;
}
