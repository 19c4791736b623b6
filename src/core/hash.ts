import * as crypto from 'node:crypto';

/**
 * The hex digest of a text, for hashing many small texts (a compile hashes each model's SQL
 * a few times): node's one-shot `crypto.hash` (Node ≥ 20.12) costs about half of
 * createHash().update().digest() on texts of a few hundred bytes; older Nodes use that.
 */
export const hexDigest: (algorithm: 'sha1' | 'sha256', text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (algorithm, text) => (crypto as unknown as { hash(a: string, t: string, e: 'hex'): string }).hash(algorithm, text, 'hex')
    : (algorithm, text) => crypto.createHash(algorithm).update(text).digest('hex');

/** sha1 of a text, as hex: the digest strata keeps to know a text again (kept analyses, compiled files). */
export const sha1 = (text: string): string => hexDigest('sha1', text);
