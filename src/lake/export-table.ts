import type { Queryable } from '../engine/engine.ts';
import { decodeCopyStream, type BatchLimits } from './copy-binary-decoder.ts';
import type { ParquetWriterSettings } from './parquet-encoder.ts';
import { parquetRowCount } from './parquet-reader.ts';
import type { ParquetWriter, WrittenFile } from './parquet-writer.ts';
import { describeColumns, type ColumnSpec } from './pg-columns.ts';
import { exportSelect, planColumn, type ColumnPlan } from './type-mapping.ts';

export interface TableExportRequest {
  db: Queryable;
  /** Schema-qualified, quoted SQL name of the table or view. */
  relation: string;
  /** The columns to export; read from the catalog when omitted. */
  columns?: readonly ColumnSpec[];
  path: string;
  writer: ParquetWriter;
  parquet?: Partial<ParquetWriterSettings>;
  batchLimits?: BatchLimits;
}

export interface ExportedTable extends WrittenFile {
  plans: ColumnPlan[];
}

/** `COPY (select …) TO STDOUT (FORMAT binary)` for the lake's view of these columns. */
export function exportCopySql(plans: readonly ColumnPlan[], relation: string): string {
  return `copy (${exportSelect(plans, relation)}) to stdout (format binary)`;
}

/**
 * The source without `return`: a consumer that stops early does not close it. An engine's
 * COPY stream abandoned midway leaves its connection mid-protocol (on a pinned transaction
 * connection, the next statement waits forever), so the caller drains it instead.
 */
function unclosable<T>(source: AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => ({ next: () => source.next() }) };
}

async function drain(source: AsyncIterator<unknown>): Promise<void> {
  try {
    while (!(await source.next()).done);
  } catch {
    // The COPY failed on its own; the connection is back in a state the engine handles.
  }
}

/**
 * Streams one relation into one parquet file at `path` (no temp/rename here: the batch
 * does that). Memory stays bounded by the batch limits whatever the table's size.
 */
export async function exportTable(req: TableExportRequest): Promise<ExportedTable> {
  const columns = req.columns ?? (await describeColumns(req.db, req.relation));
  const plans = columns.map(planColumn);
  const source = req.db.copyTo(exportCopySql(plans, req.relation))[Symbol.asyncIterator]();
  let written: WrittenFile;
  try {
    // The writer serialises each batch before asking for the next, so buffers can be reused.
    const batches = decodeCopyStream(unclosable(source), plans, req.batchLimits, true);
    written = await req.writer.write(req.path, batches, req.parquet);
  } catch (err) {
    await drain(source);
    throw err;
  }
  // parquet-wasm drops write errors on the floor; the footer is the proof the rows landed.
  const inFile = await parquetRowCount(req.path);
  if (inFile !== written.rows) {
    throw new Error(`${req.path}: the parquet footer declares ${inFile} rows but ${written.rows} were exported`);
  }
  return { ...written, plans };
}
