/** Connection URLs: which engine, masked for printing, TLS defaults as Neon requires. */

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '']);

/** Replaces the password of every postgres URL in `text` with `****`. */
export function maskSecrets(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*:)([^@\s]*)@/gi, '$1****@');
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
