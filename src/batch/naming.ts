import { createHash, randomBytes } from 'node:crypto';

/** `20261122t070226z-3f9a1c`: sortable by time, unique by its random tail, in the batch-id alphabet. */
export function newBatchId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').toLowerCase();
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The id of a new batch: 1–40 lower-case letters and digits in groups joined by single
 * hyphens. The alphabet is what makes `physicalSchema` one-to-one: each `-` becomes `_`,
 * nothing else changes, and no id can spell `__` or differ from another only in case.
 */
const NEW_BATCH_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const BATCH_ID_MAX = 40;

export function validateNewBatchId(id: string): string | null {
  return NEW_BATCH_ID.test(id) && id.length <= BATCH_ID_MAX
    ? null
    : `a batch id is 1–${BATCH_ID_MAX} lower-case letters and digits, in groups joined by single hyphens (e.g. nightly-20261122)`;
}

/** Naming an existing batch: also the ids of earlier strata versions (upper case, `_`, `.`). */
const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function validateBatchId(id: string): string | null {
  return BATCH_ID.test(id) ? null : 'a batch id is 1–64 letters, digits, `_`, `.` or `-`, starting with a letter or digit';
}

/**
 * The physical schema holding one layer of one batch, e.g. `gold__20261122t070226z_3f9a1c`.
 * Postgres names stop at 63 bytes; longer ones keep a hash so they stay distinct.
 */
export function physicalSchema(layerSchema: string, batchId: string): string {
  const name = `${layerSchema}__${batchId.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  if (Buffer.byteLength(name) <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, 52)}_${hash}`;
}
