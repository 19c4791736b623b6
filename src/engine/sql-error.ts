import { errorMessage } from '../core/errors.ts';

/** A database error with what Postgres knows of where it happened, and the file to look at. */
export function describeSqlError(err: unknown, file: string): string {
  const e = err as { message?: string; detail?: string; hint?: string; position?: string; where?: string };
  const parts = [errorMessage(err)];
  if (e.detail) parts.push(`detail: ${e.detail}`);
  if (e.hint) parts.push(`hint: ${e.hint}`);
  parts.push(`in ${file} (compiled SQL under target/compiled/)`);
  return parts.join('\n');
}
