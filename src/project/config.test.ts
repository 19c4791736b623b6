import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from '../core/errors.ts';
import { parseProjectConfig } from './config.ts';
import { readYaml } from './yaml-file.ts';
import { tempProject } from '../../spec/temp-project.ts';

function parse(text: string): { diagnostics: Diagnostic[]; config: ReturnType<typeof parseProjectConfig> | null } {
  const dir = tempProject('config', { 'project.yaml': text });
  const diagnostics: Diagnostic[] = [];
  const yaml = readYaml(join(dir, 'project.yaml'), 'project.yaml', diagnostics);
  return { diagnostics, config: yaml ? parseProjectConfig(yaml, diagnostics) : null };
}

test('a valid project.yaml yields layers in order, defaults filled in', () => {
  const { diagnostics, config } = parse('name: p\nlayers:\n  raw: {materialized: view}\n  mart: {materialized: table, export: true}\n');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config!.layers.map((l) => [l.name, l.schema, l.materialized, l.export]), [
    ['raw', 'raw', 'view', false],
    ['mart', 'mart', 'table', true],
  ]);
  assert.equal(config!.lake.retentionDays, 90);
  assert.deepEqual(config!.lake.layers, ['mart']);
  assert.equal(config!.threads, 4);
});

test('every problem is reported with its key, line and expectation', () => {
  const { diagnostics } = parse(
    ['name: p', 'layers:', '  gold: {materialized: tabel}', 'threads: 0', 'roles:', '  r: {read: [platinum]}', 'colour: blue', ''].join('\n'),
  );
  const text = diagnostics.map((d) => `${d.line}:${d.key}: ${d.message}`);
  assert.deepEqual(text, [
    '7:colour: unknown key (expected one of name, version, layers, sources, seeds, vars, threads, keep_batches, lake, health, roles)',
    '3:layers.gold.materialized: expected one of view, table, incremental, ephemeral, snapshot, got string "tabel"',
    '6:roles.r.read.0: unknown layer "platinum" (layers: gold)',
    '4:threads: expected a whole number from 1 to 64, got number 0',
  ]);
});

test('numbers are numbers in range and names follow the one rule, with the same words as the flags', () => {
  const { diagnostics } = parse(
    [
      'name: p',
      'layers:',
      '  gold: {schema: "gold; drop"}',
      '  "../up": {}',
      'threads: "4"',
      'keep_batches: 1',
      'lake: {retention_days: .nan}',
      'health: {gold_freshness_hours: -1, pipeline_latency_seconds: 1e9}',
      `roles:`,
      `  ${'r'.repeat(64)}: {read: [gold]}`,
      '',
    ].join('\n'),
  );
  assert.deepEqual(diagnostics.map((d) => `${d.key}: ${d.message}`), [
    'layers.gold.schema: "gold; drop" is not a valid name: use letters, digits and _, not starting with a digit',
    'layers.../up: layer "../up" is not a valid name: use letters, digits and _, not starting with a digit',
    `roles.${'r'.repeat(64)}: role "${'r'.repeat(64)}" is 64 characters long; names have at most 63 (PostgreSQL cuts longer ones)`,
    'threads: expected a whole number from 1 to 64, got string "4"',
    'keep_batches: expected a whole number from 2 to 1,000, got number 1',
    'lake.retention_days: expected a number from 0 to 36,500, got number NaN',
    'health.gold_freshness_hours: expected a number from 0 to 8,760, got number -1',
    'health.pipeline_latency_seconds: expected a number from 0 to 86,400, got number 1000000000',
  ]);
});

test('broken YAML names file, line and column', () => {
  const { diagnostics, config } = parse('name: p\nlayers: [\n');
  assert.equal(config, null);
  assert.equal(diagnostics[0]!.file, 'project.yaml');
  assert.ok(diagnostics[0]!.line! >= 2);
  assert.match(diagnostics[0]!.message, /invalid YAML/);
});
