/**
 * The one rule for names that become SQL identifiers and file names — models and seeds
 * (from their file names), singular tests, layers, schemas, sources and their tables,
 * columns in schema.yml, roles: letters, digits and `_`, not starting with a digit, at
 * most 63 characters (PostgreSQL silently cuts longer identifiers, so two long names
 * could become one). Such a name is also a safe file name for target/ and the lake.
 */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const MAX_NAME_LENGTH = 63;

/** null when `name` follows the rule, else what is wrong with it. */
export function nameProblem(name: string): string | null {
  if (!NAME.test(name)) return `${JSON.stringify(name)} is not a valid name: use letters, digits and _, not starting with a digit`;
  if (name.length > MAX_NAME_LENGTH) return `${JSON.stringify(name)} is ${name.length} characters long; names have at most ${MAX_NAME_LENGTH} (PostgreSQL cuts longer ones)`;
  return null;
}
