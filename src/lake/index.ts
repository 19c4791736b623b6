/** The lake: gold (or any layer) snapshots as parquet batches, and their life cycle. */
export { exportBatch, type ExportBatchOptions, type ExportBatchResult, type ExportTableSpec, type TableExported } from './export-batch.ts';
export { exportTable, exportCopySql, type ExportedTable, type TableExportRequest } from './export-table.ts';
export { listBatches, findIncompleteBatches, cleanIncompleteBatches, type BatchInfo, type CleanupResult, type IncompleteEntry } from './batches.ts';
export { planLakeRollback, rollbackLake, type RollbackResult } from './rollback.ts';
export { pruneBatches, type PruneOptions, type PruneResult } from './prune.ts';
export { verifyBatch, type DamagedFile, type VerifyResult } from './verify.ts';
export { restoreBatch, type RestoreOptions, type RestoreResult, type RestoredTable } from './restore.ts';
export { readActive } from './active.ts';
export { describeColumns, type ColumnSpec } from './pg-columns.ts';
export { planColumn, type ColumnPlan } from './type-mapping.ts';
export { readManifest, type BatchManifest, type ManifestColumn, type ManifestTable } from './manifest.ts';
export { createParquetWriter, type EncoderThread, type ParquetWriter } from './parquet-writer.ts';
export { decodeHere, decodeInWorker, type TableFileRequest, type TableFileWriter } from './table-writer.ts';
export { DEFAULT_PARQUET_SETTINGS, type ParquetCompression, type ParquetWriterSettings } from './parquet-encoder.ts';
export { DEFAULT_BATCH_LIMITS, type BatchLimits } from './copy-binary-decoder.ts';
