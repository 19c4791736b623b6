/**
 * What makes a model the same as in the published batch: its fingerprint is its SQL
 * checksum, its build config, and the version of each input — for a model it reads, the
 * physical relation that model has in the new batch (the same one when reused, a new one
 * when built); for a source or seed table, its content version (src/batch/reuse.ts reads
 * those). The published batch's fingerprints are kept in strata.model_fingerprints.
 */
import { createHash } from 'node:crypto';

export interface Fingerprint {
  sql: string;
  config: string;
  /** Input name (model, seed, or `source.table`) → its version. */
  inputs: Record<string, string>;
  /** Data tests only: what the test found in that batch (a warning is reported again when the test is not run). */
  outcome?: TestOutcome;
  /**
   * Models with an enforced contract: the hash of the contract their table was checked
   * against. Not part of what makes a model the same (a new contract is checked, not rebuilt).
   */
  contract?: string;
}

/** What a data test found in a published batch: it passed or warned (a failed test publishes nothing). */
export interface TestOutcome {
  status: 'pass' | 'warn';
  failures: number;
  /** Where its failing rows were stored (strata_audit), if they were. */
  auditRelation?: string;
}

export const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Config keys that change what is built; descriptions, tags and docs do not. */
const IGNORED_CONFIG = new Set(['description', 'tags', 'meta', 'docs', 'columns', 'export']);

export function configKey(config: object): string {
  const c = config as Record<string, unknown>;
  const kept = Object.keys(c).filter((k) => !IGNORED_CONFIG.has(k) && c[k] !== undefined).sort();
  return hash(JSON.stringify(kept.map((k) => [k, c[k]])));
}

/** A data test's fingerprint: its SQL (stored beside the models', under `test:<name>`). */
export const testKey = (name: string): string => `test:${name}`;
export const testFingerprint = (sql: string, outcome?: TestOutcome): Fingerprint => ({ sql: hash(sql), config: '', inputs: {}, ...(outcome ? { outcome } : {}) });

/** Same SQL, config and inputs (what a table was checked against or found is not part of it). */
export const sameFingerprint = (a: Fingerprint, b: Fingerprint): boolean => {
  const identity = ({ sql, config, inputs }: Fingerprint): string => JSON.stringify({ sql, config, inputs });
  return identity(a) === identity(b);
};

/**
 * What changed between two fingerprints, in words. `builtAs(name)` says how an input model
 * is made in the new batch (`merged`, `rebuilt`; undefined for a reloaded seed).
 */
export function describeChange(before: Fingerprint, after: Fingerprint, builtAs: (input: string) => string | undefined): string {
  if (before.sql !== after.sql) return 'its SQL changed (the model, a macro or a var it reads)';
  if (before.config !== after.config) return 'its build config changed';
  const names = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)]);
  const changed = [...names].filter((n) => before.inputs[n] !== after.inputs[n]).sort();
  const what = changed.map((n) => {
    if (!(n in before.inputs)) return `${n} (new input)`;
    if (!(n in after.inputs)) return `${n} (no longer read)`;
    if (n.includes('.')) return `${n} (content changed)`;
    return `${n} (${builtAs(n) ?? 'reloaded'})`;
  });
  return `input${changed.length > 1 ? 's' : ''} changed: ${what.join(', ')}`;
}

/**
 * What a unit test's outcome depends on: its own declaration (given rows, expected rows,
 * vars), the SQL of every model (its model's, and its inputs', whose columns type the
 * fixtures) and the declared sources. Unit tests run on a throw-away database, so nothing
 * else reaches them.
 */
export function unitTestFingerprint(
  compiled: { models: ReadonlyMap<string, { checksum: string }>; project: { config: { sources: unknown } } },
  spec: { model: string; given: unknown; expect: unknown; vars: unknown },
): string {
  const models = [...compiled.models].map(([name, m]) => [name, m.checksum]).sort();
  return hash(JSON.stringify([spec.model, spec.given, spec.expect, spec.vars, models, compiled.project.config.sources]));
}

/**
 * Which unit tests a build runs: one that passed with the same fingerprint (its model, every
 * model and its own declaration unchanged) is not run again.
 */
export function unitTestsToRun<T extends { name: string; fingerprint: string }>(specs: readonly T[], passed: ReadonlyMap<string, string>): T[] {
  return specs.filter((s) => passed.get(s.name) !== s.fingerprint);
}
