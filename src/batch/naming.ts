import { createHash, randomBytes } from 'node:crypto';

/** `20261122T070226Z-3f9a1c`: sortable by time, unique by its random tail. */
export function newBatchId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

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
