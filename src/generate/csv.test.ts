import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvHeader, csvNullable, csvQuoted, csvText } from './csv.ts';
import { parseCsv } from './test-support.ts';

test('fields are quoted only when they contain a comma, a quote, CR or LF', () => {
  assert.equal(csvText('plain text'), 'plain text');
  assert.equal(csvText('  padded  '), '  padded  ');
  assert.equal(csvText('a,b'), '"a,b"');
  assert.equal(csvText('12" model'), '"12"" model"');
  assert.equal(csvText('line\nbreak'), '"line\nbreak"');
  assert.equal(csvText('carriage\rreturn'), '"carriage\rreturn"');
  assert.equal(csvText('"'), '""""');
});

test('NULL is an empty unquoted field, the empty string is a quoted empty field', () => {
  assert.equal(csvText(null), '');
  assert.equal(csvText(''), '""');
  assert.equal(csvNullable(null), '');
  assert.equal(csvNullable(12.5), '12.5');
});

test('csvQuoted always quotes', () => {
  assert.equal(csvQuoted("can't stand"), '"can\'t stand"');
  assert.equal(csvQuoted('say "hi"'), '"say ""hi"""');
});

test('tricky fields survive a round trip through an independent parser', () => {
  const fields: (string | null)[] = [
    null, '', ' ', '\t', ' \r\n ', 'a,b,c', '"quoted"', 'She said "great, really great"\n\nSecond paragraph.',
    'Windows\r\nline', 'Zoë Müller 👍', "O'Brien, Jr.", ',', '""', 'trailing comma,', '\n',
  ];
  const line = fields.map(csvText).join(',');
  const records = parseCsv(line + '\n' + csvHeader(['a', 'b']) + '\n');
  assert.deepEqual(records[0], fields);
  assert.deepEqual(records[1], ['a', 'b']);
});
