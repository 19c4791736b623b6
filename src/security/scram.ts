/**
 * Role passwords are sent to the server already hashed (a SCRAM-SHA-256 verifier, as
 * psql's \password does), so the plain password never travels in a statement and cannot
 * end up in the server's statement log. The verifier is still a secret: never print it.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 4096; // PostgreSQL's default scram_iterations

/** Passwords whose SCRAM form depends on SASLprep are left to the server to hash. */
export const hashableClientSide = (password: string): boolean => /^[\x20-\x7e]*$/.test(password);

function keys(password: string, salt: Buffer, iterations: number): { stored: Buffer; server: Buffer } {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const client = createHmac('sha256', salted).update('Client Key').digest();
  return {
    stored: createHash('sha256').update(client).digest(),
    server: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, the form pg_authid keeps. */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  if (!hashableClientSide(password)) throw new Error('only printable ASCII passwords are hashed client-side');
  const { stored, server } = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${stored.toString('base64')}:${server.toString('base64')}`;
}

const SCRAM = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/**
 * Whether `stored` (pg_authid.rolpassword) is the hash of `password`: SCRAM verifiers and
 * the legacy `md5<md5(password || role)>` form. Anything else counts as different.
 */
export function passwordMatches(stored: string | null, password: string, role: string): boolean {
  if (!stored) return false;
  const m = SCRAM.exec(stored);
  if (m) {
    const candidates = new Set([password, password.normalize('NFKC')]);
    const expected = Buffer.from(m[3]!, 'base64');
    for (const p of candidates) {
      const { stored: got } = keys(p, Buffer.from(m[2]!, 'base64'), Number(m[1]));
      if (got.length === expected.length && timingSafeEqual(got, expected)) return true;
    }
    return false;
  }
  if (/^md5[0-9a-f]{32}$/.test(stored)) {
    return stored === `md5${createHash('md5').update(password + role, 'utf8').digest('hex')}`;
  }
  return false;
}
