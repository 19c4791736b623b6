/**
 * The unit tests that passed, by fingerprint, kept in the project (target/unit_tests_passed.json).
 * A unit test runs in scratch tables of its own (in a transaction on the build's database, or
 * on a throw-away PGlite), so its outcome depends on its fingerprint only
 * (src/plan/fingerprint.ts) — not on what a target database holds: a build can skip the ones
 * that passed before without asking any database, and a model whose logic breaks its unit
 * test still stops the build before its data is touched.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const file = (projectDir: string): string => join(projectDir, 'target', 'unit_tests_passed.json');

export interface UnitTestFingerprint {
  name: string;
  fingerprint: string;
}

/** name → fingerprint it passed with; empty when the file is absent or unreadable (then all run). */
export function readPassedUnitTests(projectDir: string): Map<string, string> {
  const path = file(projectDir);
  if (!existsSync(path)) return new Map();
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return new Map(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return new Map();
  }
}

export function recordPassedUnitTests(projectDir: string, passed: readonly UnitTestFingerprint[]): void {
  if (passed.length === 0) return;
  const all = readPassedUnitTests(projectDir);
  for (const u of passed) all.set(u.name, u.fingerprint);
  mkdirSync(dirname(file(projectDir)), { recursive: true });
  writeFileSync(file(projectDir), JSON.stringify(Object.fromEntries([...all].sort()), null, 2) + '\n');
}
