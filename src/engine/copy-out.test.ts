import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { CopyOutStream } from './copy-out.ts';
import { createPostgresEngine } from './postgres.ts';

/** One protocol message: type byte, int32 length (counting itself), payload. */
function message(type: string, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeUInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
}

/**
 * What the server sends for a COPY TO, cut at `cuts` into the chunks a socket delivers,
 * read through CopyOutStream. The socket is a PassThrough whose 'data' listener stands for
 * node-postgres' own (what it is handed back at the end of the COPY); the chunk boundaries
 * a real server seldom produces (inside a header, one byte at a time) are the point here.
 */
async function readCopy(bytes: Buffer, cuts: number[]): Promise<{ data: Buffer; handedBack: Buffer; stream: CopyOutStream }> {
  const socket = new PassThrough();
  const handedBack: Buffer[] = [];
  socket.on('data', (b: Buffer) => handedBack.push(b));
  const stream = new CopyOutStream('copy t to stdout');
  stream.submit({ stream: socket, query: () => undefined } as unknown as pg.Connection);
  const data: Buffer[] = [];
  const reading = (async () => {
    for await (const chunk of stream) data.push(chunk as Buffer);
  })();
  let at = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b).concat(bytes.length)) {
    socket.write(bytes.subarray(at, cut));
    at = cut;
    await tick();
  }
  await tick();
  // node-postgres fails the query when it reads the error it was handed.
  if (handedBack.length > 0 && handedBack[0]![0] === 'E'.charCodeAt(0)) stream.handleError(new Error('server error'));
  await reading.catch(() => undefined);
  return { data: Buffer.concat(data), handedBack: Buffer.concat(handedBack), stream };
}

const payloads = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 30 });
const tail = Buffer.concat([message('C', Buffer.from('COPY 3\0')), message('Z', Buffer.from('I'))]);

test('COPY data: the CopyData payloads in order, whatever the chunks; what follows CopyDone goes back to node-postgres', async () => {
  await fc.assert(
    fc.asyncProperty(payloads, fc.array(fc.nat(2000), { maxLength: 40 }), fc.nat(30), async (rows, cuts, noticeAt) => {
      const body = rows.map((r) => message('d', r));
      // The server may send a notice (or a parameter status) between rows.
      body.splice(Math.min(noticeAt, body.length), 0, message('N', Buffer.from('SNOTICE\0\0')), message('S', Buffer.from('a\0b\0')));
      const bytes = Buffer.concat([message('H', Buffer.from([1, 0, 0])), ...body, message('c'), tail]);
      const { data, handedBack } = await readCopy(bytes, cuts);
      assert.ok(data.equals(Buffer.concat(rows)));
      assert.ok(handedBack.equals(tail));
    }),
    { numRuns: 300 },
  );
});

test('an error in mid-COPY goes back to node-postgres from its first byte, after the rows before it', async () => {
  await fc.assert(
    fc.asyncProperty(payloads, fc.array(fc.nat(2000), { maxLength: 40 }), async (rows, cuts) => {
      const error = Buffer.concat([message('E', Buffer.from('SERROR\0C22012\0Mdivision by zero\0\0')), message('Z', Buffer.from('I'))]);
      const bytes = Buffer.concat([message('H', Buffer.from([1, 0, 0])), ...rows.map((r) => message('d', r)), error]);
      const { data, handedBack, stream } = await readCopy(bytes, cuts);
      assert.ok(data.equals(Buffer.concat(rows)));
      assert.ok(handedBack.equals(error));
      assert.ok(stream.destroyed);
    }),
    { numRuns: 200 },
  );
});

const server = process.env.STRATA_TEST_DATABASE_URL;

test('on a PostgreSQL server: the same bytes as pg-copy-streams, notices in between; an error fails the COPY and not the connection', { skip: !server && 'STRATA_TEST_DATABASE_URL is not set' }, async () => {
  const engine = createPostgresEngine(server!, { maxConnections: 1 });
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`create or replace function pg_temp.noisy(i int) returns int language plpgsql as $$
      begin if i % 500 = 0 then raise notice 'row %', i; end if; return i; end $$`);
    // Rows of every size, some far larger than a socket chunk; notices interleaved.
    const sql = `copy (select pg_temp.noisy(i), repeat(chr(945 + i % 20), (i * 7919) % 70000), i::numeric / 7 from generate_series(1, 3000) i) to stdout (format binary)`;
    const reference: Buffer[] = [];
    for await (const chunk of client.query(copyStreams.to(sql))) reference.push(chunk as Buffer);
    const ours: Buffer[] = [];
    const stream = client.query(new CopyOutStream(sql));
    for await (const chunk of stream) ours.push(chunk as Buffer);
    assert.ok(Buffer.concat(ours).equals(Buffer.concat(reference)));
    assert.ok(Buffer.concat(ours).length > 50_000_000);
    assert.equal(stream.rowCount, 3000);
    assert.equal((await client.query('select 1 as one')).rows[0].one, 1, 'the connection goes on after the COPY');

    // Through the engine: a division by zero at row 700 fails the COPY, after rows were read.
    let rows = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of engine.copyTo('copy (select 1 / (700 - i), repeat(\'x\', 1000) from generate_series(1, 2000) i) to stdout')) rows += chunk.length;
      })(),
      /division by zero/,
    );
    assert.ok(rows > 0);
    assert.deepEqual((await engine.query<{ n: number }>('select 2 as n')).rows, [{ n: 2 }]);
  } finally {
    await client.end();
    await engine.close();
  }
});
