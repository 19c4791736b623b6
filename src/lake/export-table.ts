import type { Queryable } from '../engine/engine.ts';
import type { BatchLimits } from './copy-binary-decoder.ts';
import type { ParquetWriterSettings } from './parquet-encoder.ts';
import { parquetRowCount } from './parquet-reader.ts';
import type { WrittenFile } from './parquet-writer.ts';
import { describeColumns, type ColumnSpec } from './pg-columns.ts';
import type { TableFileWriter } from './table-writer.ts';
import { exportSelect, planColumn, type ColumnPlan } from './type-mapping.ts';

export interface TableExportRequest {
  db: Queryable;
  /** Schema-qualified, quoted SQL name of the table or view. */
  relation: string;
  /** The columns to export; read from the catalog when omitted. */
  columns?: readonly ColumnSpec[];
  path: string;
  writer: TableFileWriter;
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
 * Streams one relation into one parquet file at `path` (no temp/rename here: the batch
 * does that). Memory stays bounded by the batch limits whatever the table's size.
 */
export async function exportTable(req: TableExportRequest): Promise<ExportedTable> {
  const columns = req.columns ?? (await describeColumns(req.db, req.relation));
  const plans = columns.map(planColumn);
  // On an error the COPY is abandoned: the engine closes its connection rather than wait.
  const written: WrittenFile = await req.writer.write({
    path: req.path,
    columns,
    copy: req.db.copyTo(exportCopySql(plans, req.relation)),
    ...(req.parquet ? { settings: req.parquet } : {}),
    ...(req.batchLimits ? { limits: req.batchLimits } : {}),
  });
  // parquet-wasm drops write errors on the floor; the footer is the proof the rows landed.
  const inFile = await parquetRowCount(req.path);
  if (inFile !== written.rows) {
    throw new Error(`${req.path}: the parquet footer declares ${inFile} rows but ${written.rows} were exported`);
  }
  return { ...written, plans };
}
