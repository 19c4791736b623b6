import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

let id: string | undefined;
/**
 * The parser's version and a hash of the source of src/sql/ (this folder): what reads SQL.
 * What was derived from an earlier one (a kept analysis, a bundled worker) is not reused.
 * Throws when they cannot be read.
 */
export function analyzerId(): string {
  if (id) return id;
  const hash = createHash('sha1');
  const dir = import.meta.dirname;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) hash.update(f).update(readFileSync(join(dir, f)));
  const parser = createRequire(import.meta.url)('libpg-query/package.json') as { version: string };
  return (id = `libpg-query ${parser.version} ${hash.digest('hex')}`);
}
