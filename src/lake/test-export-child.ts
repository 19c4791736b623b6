/**
 * Test-only child process: exports a batch and activates it, so a test can kill it
 * midway. Usage: DATABASE_URL=… test-export-child.ts <json {pgliteDir?, lakeDir, layer, batchId, tables}>
 * (the URL comes from the environment: arguments are visible to every user of the machine)
 */
import type { Engine } from '../engine/engine.ts';
import { createPgliteEngine } from '../engine/pglite.ts';
import { createPostgresEngine } from '../engine/postgres.ts';
import { exportBatch, type ExportTableSpec } from './export-batch.ts';

interface ChildArgs {
  pgliteDir?: string;
  lakeDir: string;
  layer: string;
  batchId: string;
  tables: ExportTableSpec[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const url = process.env.DATABASE_URL;
const engine: Engine = url ? createPostgresEngine(url) : await createPgliteEngine(args.pgliteDir!);
try {
  await exportBatch({ engine, lakeDir: args.lakeDir, layer: args.layer, batchId: args.batchId, tables: args.tables, activate: true });
} finally {
  await engine.close();
}
