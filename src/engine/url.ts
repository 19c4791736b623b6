/** Connection URLs: which engine, masked for printing, TLS defaults as Neon requires. */

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '']);

/**
 * Replaces every password in `text` with `****`: in postgres URLs (also one holding a raw
 * `@`), in `?password=` query parameters and in key=value connection strings. Quotes end a
 * match, so JSON log lines stay intact.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s"']*:)[^\s"'/?#]*@/gi, '$1****@')
    .replace(/(\bpassword\s*=\s*)('[^']*'|[^&\s"']+)/gi, '$1****');
}

export function isLocalHost(host: string): boolean {
  return LOCAL_HOSTS.has(host.toLowerCase()) || host.startsWith('/');
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface ConnectionSettings {
  url: string;
  host: string;
  sslmode: SslMode;
  channelBinding: 'disable' | 'prefer' | 'require';
}

/**
 * Reads the TLS demands of a URL. A non-local host without `sslmode` gets `require`: Neon
 * refuses plain connections, and silently talking plain text to a remote server is never
 * what someone meant.
 */
export function connectionSettings(url: string): ConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a valid connection URL: ${maskSecrets(url)}`);
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new Error(`connection URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//…)`);
  }
  const host = parsed.hostname || parsed.searchParams.get('host') || '';
  const given = parsed.searchParams.get('sslmode');
  const modes: SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
  if (given && !modes.includes(given as SslMode)) {
    throw new Error(`sslmode=${given} is not one of ${modes.join(', ')}`);
  }
  const sslmode = (given as SslMode | null) ?? (isLocalHost(host) ? 'disable' : 'require');
  const cb = parsed.searchParams.get('channel_binding') ?? 'prefer';
  if (!['disable', 'prefer', 'require'].includes(cb)) {
    throw new Error(`channel_binding=${cb} is not one of disable, prefer, require`);
  }
  return { url, host, sslmode, channelBinding: cb as ConnectionSettings['channelBinding'] };
}

/**
 * Neon's pooled endpoint is the direct one with `-pooler` in its first host label. Session
 * work (postgres-migrations' advisory lock) must not go through a transaction-mode pooler.
 */
export function directUrlFor(url: string): string | null {
  const u = new URL(url);
  const [first, ...rest] = u.hostname.split('.');
  if (!first?.endsWith('-pooler')) return null;
  u.hostname = [first.slice(0, -'-pooler'.length), ...rest].join('.');
  return u.toString();
}
