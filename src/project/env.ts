import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';

/** The project's .env under the process environment (which wins, as dotenv does by default). */
export function projectEnv(projectDir: string, warn?: (m: string) => void): Record<string, string | undefined> {
  const file = join(projectDir, '.env');
  if (!existsSync(file)) return { ...process.env };
  if ((statSync(file).mode & 0o044) !== 0) {
    warn?.(`${file} is readable by other users and may hold secrets: chmod 600 ${file}`);
  }
  return { ...parseDotenv(readFileSync(file)), ...process.env };
}
