import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { StrataError } from '../core/errors.ts';
import { readActive } from './active.ts';
import { batchDir, MANIFEST_FILE } from './layout.ts';
import { readManifest, type BatchManifest, type ManifestTable } from './manifest.ts';
import { parquetRowCount } from './parquet-reader.ts';

export interface DamagedFile {
  file: string;
  table: string | null;
  reason: string;
}

export interface VerifyResult {
  layer: string;
  batchId: string;
  ok: boolean;
  /** Tables whose file matched the manifest in presence, size, sha256 and footer row count. */
  verified: string[];
  damaged: DamagedFile[];
  /** Files in the batch directory the manifest does not list (reported, not damage). */
  extraFiles: string[];
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every way `file` differs from what the manifest recorded for it. */
export async function checkTableFile(dir: string, table: ManifestTable): Promise<string[]> {
  const path = join(dir, table.file);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return ['missing'];
  }
  const problems: string[] = [];
  if (size !== table.bytes) problems.push(`size ${size} bytes, the manifest says ${table.bytes}`);
  const digest = await sha256(path);
  if (digest !== table.sha256) problems.push(`sha256 ${digest.slice(0, 12)}…, the manifest says ${table.sha256.slice(0, 12)}…`);
  try {
    const rows = await parquetRowCount(path);
    if (rows !== table.rows) problems.push(`the parquet footer declares ${rows} rows, the manifest says ${table.rows}`);
  } catch (err) {
    problems.push(`unreadable parquet footer (${(err as Error).message})`);
  }
  return problems;
}

async function resolveBatchId(lakeDir: string, layer: string, batchId: string | undefined): Promise<string> {
  if (batchId) return batchId;
  const active = await readActive(lakeDir, layer);
  if (!active) throw new StrataError(`the ${layer} lake has no active batch; name the batch to verify`);
  return active;
}

/** Checks each file of a batch (default: the active one) against its manifest. */
export async function verifyBatch(lakeDir: string, layer: string, batchId?: string): Promise<VerifyResult> {
  const id = await resolveBatchId(lakeDir, layer, batchId);
  const dir = batchDir(lakeDir, layer, id);
  const result: VerifyResult = { layer, batchId: id, ok: false, verified: [], damaged: [], extraFiles: [] };
  let manifest: BatchManifest;
  try {
    manifest = await readManifest(dir);
  } catch (err) {
    result.damaged.push({ file: join(dir, MANIFEST_FILE), table: null, reason: (err as Error).message });
    return result;
  }
  for (const table of manifest.tables) {
    const problems = await checkTableFile(dir, table);
    if (problems.length === 0) result.verified.push(table.name);
    else result.damaged.push({ file: join(dir, table.file), table: table.name, reason: problems.join('; ') });
  }
  const listed = new Set([MANIFEST_FILE, ...manifest.tables.map((t) => t.file)]);
  result.extraFiles = (await readdir(dir)).filter((name) => !listed.has(name)).map((name) => join(dir, name));
  result.ok = result.damaged.length === 0;
  return result;
}
