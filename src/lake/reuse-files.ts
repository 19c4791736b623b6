/**
 * A lake batch whose tables did not change costs no export. When the database batch reuses
 * a model's physical table (src/batch/reuse.ts), an earlier lake batch already holds that
 * table's parquet file: the new batch takes the file over (a hard link, or a copy where the
 * file system has none) instead of reading and encoding the rows again.
 *
 * The rule: a table's file is taken over from an earlier complete lake batch L when
 *   - L's manifest recorded the very same relation (`<batch schema>.<model>`) and model
 *     checksum; a batch schema's table is never written after its batch built it, so the
 *     same relation holds the same rows, and
 *   - the database says its batch L mapped that model to that physical schema (so the file
 *     came from this database's table, not from a lake another database wrote), and
 *   - the file is there with the size the manifest recorded.
 * The new batch directory stays complete on its own: `lake verify`, `restore`, `prune` and
 * `rollback` see ordinary files (deleting L's directory removes only L's link).
 */
import { copyFile, link, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestTable } from './manifest.ts';

/** A file of an earlier lake batch that a new batch takes over. */
export interface ReusedFile {
  /** The lake batch the file comes from. */
  batchId: string;
  path: string;
  table: ManifestTable;
}

/** An earlier complete lake batch of the layer, with the relations the database says its batch had. */
export interface LakeCandidate {
  batchId: string;
  dir: string;
  tables: readonly ManifestTable[];
  /** Model → physical relation of that batch in the database (`schema.model`, quoted as the export records it). */
  relations: ReadonlyMap<string, string>;
}

/**
 * Which tables of a new export can take over a file, newest candidate first. Pure: the
 * caller lists the candidates (complete lake batches the database still knows).
 */
export function pickReusedFiles(
  tables: readonly { name: string; relation: string; modelChecksum?: string }[],
  candidates: readonly LakeCandidate[],
): Map<string, ReusedFile> {
  const out = new Map<string, ReusedFile>();
  for (const t of tables) {
    for (const c of candidates) {
      const before = c.tables.find((x) => x.name === t.name);
      if (!before || before.relation !== t.relation || c.relations.get(t.name) !== t.relation) continue;
      if (t.modelChecksum !== undefined && before.modelChecksum !== t.modelChecksum) continue;
      out.set(t.name, { batchId: c.batchId, path: join(c.dir, before.file), table: before });
      break;
    }
  }
  return out;
}

/**
 * Puts the reused file at `to` (a temp name the caller renames): a hard link when the file
 * system allows it, else a copy. Throws when the source is not the size its manifest says.
 */
export async function placeReusedFile(file: ReusedFile, to: string): Promise<void> {
  const size = (await stat(file.path)).size;
  if (size !== file.table.bytes) throw new Error(`${file.path} is ${size} bytes, its manifest says ${file.table.bytes}`);
  await unlink(to).catch(() => undefined);
  try {
    await link(file.path, to);
  } catch {
    await copyFile(file.path, to);
  }
}
