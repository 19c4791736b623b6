import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '../core/errors.ts';
import { writeFileAtomic } from './atomic-fs.ts';
import { MANIFEST_FILE } from './layout.ts';

export const MANIFEST_FORMAT = 1;

export interface ManifestColumn {
  name: string;
  /** `format_type`, what restore creates. */
  pgType: string;
  typeOid: number;
  typmod: number;
  /** Arrow type in pyarrow's spelling, e.g. `decimal128(6, 2)`, `timestamp[us, tz=UTC]`. */
  arrowType: string;
  /** How a value without a faithful Arrow type is stored: `text`, `numeric-text`, `json`. */
  encoding?: string;
}

export interface ManifestTable {
  name: string;
  /** Where it was exported from. */
  relation: string;
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
  columns: ManifestColumn[];
  modelChecksum?: string;
  /** The earlier lake batch this file was taken over from (unchanged table): its parquet metadata names that batch. */
  reusedFrom?: string;
}

export interface BatchManifest {
  format: number;
  batchId: string;
  layer: string;
  strataVersion: string;
  createdAt: string;
  finishedAt: string;
  parquet: { compression: string; rowGroupRows: number; rowGroupBytes: number };
  /** Checksums of the models that built this batch, by model name. */
  modelChecksums: Record<string, string>;
  tables: ManifestTable[];
}

let cachedVersion: string | undefined;

/** The strata version from package.json, recorded in every manifest. */
export async function strataVersion(): Promise<string> {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? 'unknown';
  }
  return cachedVersion;
}

export async function writeManifest(dir: string, manifest: BatchManifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

function isTable(t: unknown): t is ManifestTable {
  const x = t as ManifestTable;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.name === 'string' &&
    typeof x.file === 'string' &&
    Number.isInteger(x.rows) &&
    Number.isInteger(x.bytes) &&
    typeof x.sha256 === 'string' &&
    Array.isArray(x.columns) &&
    x.columns.every((c) => typeof c?.name === 'string' && typeof c.pgType === 'string' && Number.isInteger(c.typeOid) && Number.isInteger(c.typmod))
  );
}

/** The manifest of the batch in `dir`; throws naming the file when it is missing or malformed. */
export async function readManifest(dir: string): Promise<BatchManifest> {
  const path = join(dir, MANIFEST_FILE);
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw new StrataError(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing (the batch is incomplete)' : (err as Error).message}`);
  }
  let m: BatchManifest;
  try {
    m = JSON.parse(raw) as BatchManifest;
  } catch (err) {
    throw new StrataError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (m?.format !== MANIFEST_FORMAT) throw new StrataError(`${path}: unsupported manifest format ${JSON.stringify(m?.format)} (expected ${MANIFEST_FORMAT})`);
  if (typeof m.batchId !== 'string' || !Array.isArray(m.tables) || !m.tables.every(isTable)) {
    throw new StrataError(`${path}: malformed manifest (batchId and tables[] with name, file, rows, bytes, sha256, columns expected)`);
  }
  return m;
}
