import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '../core/errors.ts';
import { writeFileAtomic } from './atomic-fs.ts';
import { ACTIVE_FILE, checkBatchId, layerDir, parseBatchDirName } from './layout.ts';

/** The id `<lakeDir>/<layer>/active` names, or null when nothing was published yet. */
export async function readActive(lakeDir: string, layer: string): Promise<string | null> {
  const path = join(layerDir(lakeDir, layer), ACTIVE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const id = text.trim();
  if (parseBatchDirName(`batch=${id}`) === null) throw new StrataError(`${path}: does not name a batch (${JSON.stringify(text.slice(0, 80))})`);
  return id;
}

/** Points `active` at `id` in one atomic rename. The caller checks the batch is complete. */
export async function writeActive(lakeDir: string, layer: string, id: string): Promise<void> {
  await writeFileAtomic(join(layerDir(lakeDir, layer), ACTIVE_FILE), `${checkBatchId(id)}\n`);
}
