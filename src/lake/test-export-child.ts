/**
 * Test-only child process: exports a batch and activates it, so a test can kill it
 * midway. Usage: test-export-child.ts <json {databaseUrl?|pgliteDir?, lakeDir, layer, batchId, tables}>
 */
import type { Engine } from '../engine/engine.ts';
import { createPgliteEngine } from '../engine/pglite.ts';
import { createPostgresEngine } from '../engine/postgres.ts';
import { exportBatch, type ExportTableSpec } from './export-batch.ts';

interface ChildArgs {
  databaseUrl?: string;
  pgliteDir?: string;
  lakeDir: string;
  layer: string;
  batchId: string;
  tables: ExportTableSpec[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const engine: Engine = args.databaseUrl ? createPostgresEngine(args.databaseUrl) : await createPgliteEngine(args.pgliteDir!);
try {
  await exportBatch({ engine, lakeDir: args.lakeDir, layer: args.layer, batchId: args.batchId, tables: args.tables, activate: true });
} finally {
  await engine.close();
}
