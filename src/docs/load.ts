/** Reads what the docs site shows from a project's artifacts. */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, StrataError } from '../core/errors.ts';
import { ArtifactError, artifactPath, readArtifact } from '../core/artifacts.ts';
import type { DocsInputs, LakeBatchRow, RunHistoryEntry } from './types.ts';

export const PIPELINE_LOG_PATH = join('logs', 'pipeline.log');

/** How many of the latest runs the duration chart shows. */
export const DEFAULT_HISTORY_LIMIT = 30;
/** Only the end of a huge log is read: the latest runs are there. */
const LOG_TAIL_BYTES = 16 * 1024 * 1024;

/** An artifact the site reads: a broken optional one is left out; a broken manifest is an error. */
function read<K extends 'manifest' | 'runResults' | 'lastRunMetrics'>(projectDir: string, name: K, required: boolean) {
  try {
    const value = readArtifact(projectDir, name);
    if (!value && required) throw new StrataError(`${artifactPath(projectDir, name)} not found: run \`strata compile\` (or \`strata build\`) first`, ExitCode.usage);
    return value;
  } catch (err) {
    if (err instanceof ArtifactError && required) throw new StrataError(err.message, ExitCode.usage);
    if (err instanceof ArtifactError) return null;
    throw err;
  }
}

/** The end of a file as text, from the first whole line. */
function readTail(path: string, maxBytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const text = buf.subarray(0, read).toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    closeSync(fd);
  }
}

/**
 * The last `limit` finished runs of a pipeline log (its `run_end` events), oldest first.
 * Each takes its command from the latest `run_start` before it. Unreadable lines are skipped.
 */
export function parseRunHistory(logText: string, limit = DEFAULT_HISTORY_LIMIT): RunHistoryEntry[] {
  const runs: RunHistoryEntry[] = [];
  let command: string | undefined;
  for (const line of logText.split('\n')) {
    if (!line.includes('"run_')) continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (e.event === 'run_start') {
      command = typeof e.command === 'string' ? e.command : undefined;
    } else if (e.event === 'run_end' && typeof e.duration_s === 'number') {
      runs.push({
        batchId: typeof e.batch_id === 'string' ? e.batch_id : null,
        ts: typeof e.ts === 'string' ? e.ts : '',
        durationS: e.duration_s,
        status: typeof e.status === 'string' ? e.status : 'unknown',
        ...(command ? { command } : {}),
      });
      command = undefined;
    }
  }
  return limit > 0 ? runs.slice(-limit) : runs;
}

export function readRunHistory(projectDir: string, limit = DEFAULT_HISTORY_LIMIT): RunHistoryEntry[] {
  const path = join(projectDir, PIPELINE_LOG_PATH);
  if (!existsSync(path)) return [];
  return parseRunHistory(readTail(path, LOG_TAIL_BYTES), limit);
}

/**
 * The site's inputs from a project directory: target/manifest.json (required),
 * target/run_results.json and docs/last_run_metrics.json (when a run left them), and the
 * last runs of logs/pipeline.log. Lake batches come from the lake module, not from here.
 */
export function loadDocsInputs(projectDir: string, opts: { historyLimit?: number } = {}): DocsInputs {
  const manifest = read(projectDir, 'manifest', true)!;
  if (typeof manifest.nodes !== 'object' || !Array.isArray(manifest.layers)) {
    throw new StrataError(`${artifactPath(projectDir, 'manifest')}: not a strata manifest (no nodes or layers)`, ExitCode.usage);
  }
  const runResults = read(projectDir, 'runResults', false);
  const lastRunMetrics = read(projectDir, 'lastRunMetrics', false);
  return {
    projectDir,
    manifest,
    runResults: runResults && Array.isArray(runResults.results) ? runResults : null,
    lastRunMetrics,
    runHistory: readRunHistory(projectDir, opts.historyLimit ?? DEFAULT_HISTORY_LIMIT),
  };
}

/** What the lake module's `listBatches` (src/lake/batches.ts) reports, as far as the site needs it. */
export interface LakeBatchInfoLike {
  id: string;
  complete: boolean;
  active: boolean;
  sizeBytes: number;
  rows: Record<string, number>;
  createdAt: string | null;
}

/** Rows of the site's lake table from one layer's batches (rows summed over the batch's tables). */
export function toLakeBatchRows(layer: string, batches: readonly LakeBatchInfoLike[]): LakeBatchRow[] {
  return batches.map((b) => ({
    batchId: b.id,
    layer,
    complete: b.complete,
    active: b.active,
    rows: Object.values(b.rows).reduce((s, n) => s + n, 0),
    bytes: b.sizeBytes,
    createdAt: b.createdAt,
  }));
}
