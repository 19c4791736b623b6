/**
 * The last line of defence for text strata prints or writes: any `postgres://` URL or
 * `password=` pair in it gets its password replaced by `****`. strata itself never builds
 * such text (targets are described by engine/connection.ts without their password); this
 * catches URLs that arrive inside messages from elsewhere.
 */

/**
 * Replaces every password in `text` with `****`: in postgres URLs (also one holding a raw
 * `@`), in `?password=` query parameters and in key=value connection strings. Quotes end a
 * match, so JSON log lines stay intact.
 */
export function maskSecrets(text: string): string {
  return text
    .replace(/(postgres(?:ql)?:\/\/[^:/@\s"']*:)[^\s"'/?#]*@/gi, '$1****@')
    .replace(/(\bpassword\s*=\s*)('(?:\\.|[^'\\])*'|[^&\s"']+)/gi, '$1****');
}
