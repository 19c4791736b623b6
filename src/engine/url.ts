/**
 * Kept for code written against the old module while branches merge: connection settings
 * live in connection.ts, masking in secrets.ts.
 */
export { maskSecrets } from './secrets.ts';
