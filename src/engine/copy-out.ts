/**
 * `COPY … TO STDOUT` on a node-postgres connection, as a byte stream of the COPY data alone.
 *
 * It takes the connection's socket over for the COPY, the way pg-copy-streams does (pg's own
 * data listener is set aside and given back, with the bytes after the COPY, at its end), but
 * reads the messages differently: pg-copy-streams slices a Buffer for every CopyData message
 * — one per row in a binary COPY — and concatenates them again; here each socket chunk's
 * CopyData payloads are moved together inside that same chunk (its 5-byte message headers
 * squeezed out), and the chunk is passed on as it is. No allocation per row: the lake export
 * reads millions of them.
 */
import { Readable } from 'node:stream';
import type pg from 'pg';

const COPY_DATA = 0x64; // d
const COPY_DONE = 0x63; // c
const COPY_OUT_RESPONSE = 0x48; // H
const ERROR_RESPONSE = 0x45; // E
const NOTICE_RESPONSE = 0x4e; // N
const NOTIFICATION_RESPONSE = 0x41; // A
const PARAMETER_STATUS = 0x53; // S
/** A message's header: its type byte and its int32 length (which counts itself). */
const HEADER = 5;


/** Whether a message of this type leaves the server in copy-out mode (any other ends it). */
function keepsCopying(type: number): boolean {
  return type === COPY_DATA || type === COPY_OUT_RESPONSE || type === NOTICE_RESPONSE || type === NOTIFICATION_RESPONSE || type === PARAMETER_STATUS;
}

export class CopyOutStream extends Readable implements pg.Submittable {
  rowCount = 0;
  private connection: pg.Connection | null = null;
  private pgDataHandler: ((b: Buffer) => void) | null = null;
  private readonly onReadable = (): void => this.forward();
  /** The start of a message header that ended a chunk. */
  private readonly header = Buffer.alloc(HEADER);
  private headerUsed = 0;
  /** Type and unread payload bytes of the message being read. */
  private type = 0;
  private unread = 0;
  /** The consumer wants more. */
  private drained = false;
  private forwarding = false;

  constructor(private readonly text: string) {
    super();
  }

  /** Called by node-postgres when this query's turn comes. */
  submit(connection: pg.Connection): void {
    this.connection = connection;
    const socket = connection.stream;
    const [handler] = socket.listeners('data') as ((b: Buffer) => void)[];
    if (!handler || socket.listeners('data').length !== 1) throw new Error('COPY: unexpected listeners on the connection');
    this.pgDataHandler = handler;
    socket.removeListener('data', handler);
    socket.pause();
    socket.on('readable', this.onReadable);
    this.forward();
    connection.query(this.text);
  }

  override _read(): void {
    this.drained = true;
    this.forward();
  }

  private forward(): void {
    if (this.forwarding || !this.drained || !this.connection) return;
    this.forwarding = true;
    let chunk: Buffer | null;
    while (this.drained && this.connection && (chunk = this.connection.stream.read() as Buffer | null) !== null) this.drained = this.parse(chunk);
    this.forwarding = false;
  }

  /**
   * Squeezes the CopyData payloads of `chunk` to its front and pushes them; at the end of
   * the COPY (or an error) gives the rest back to node-postgres. Returns whether to go on.
   */
  private parse(chunk: Buffer): boolean {
    const end = chunk.length;
    let p = 0;
    let out = 0;
    while (p < end) {
      if (this.unread > 0) {
        const n = Math.min(this.unread, end - p);
        if (this.type === COPY_DATA) {
          if (out !== p) chunk.copyWithin(out, p, p + n);
          out += n;
        }
        p += n;
        this.unread -= n;
        if (this.unread > 0) break;
        continue;
      }
      // A header, whole in this chunk (the usual case) or completed from the bytes held over.
      const held = this.headerUsed > 0 || end - p < HEADER;
      if (held) {
        const n = Math.min(HEADER - this.headerUsed, end - p);
        chunk.copy(this.header, this.headerUsed, p, p + n);
        this.headerUsed += n;
        p += n;
      }
      const head = held ? this.header : chunk;
      const at = held ? 0 : p;
      // An error goes to node-postgres from its first byte on, which then fails this query.
      if (head[at] === ERROR_RESPONSE) return this.finish(chunk, out, this.from(held, chunk, p), false);
      if (held && this.headerUsed < HEADER) break;
      const type = head[at]!;
      const length = head.readUInt32BE(at + 1);
      // Any message but these ends copy-out mode (CopyDone, normally): node-postgres reads what follows.
      if (!keepsCopying(type)) {
        const rest = this.from(held, chunk, p);
        return this.finish(chunk, out, type === COPY_DONE ? rest.subarray(HEADER) : rest, true);
      }
      if (!held) p += HEADER;
      this.headerUsed = 0;
      this.type = type;
      this.unread = length - 4;
    }
    return out > 0 ? this.push(chunk.subarray(0, out)) : true;
  }

  /** The bytes from the current message's header on: held over ones first, or `chunk` from `p`. */
  private from(held: boolean, chunk: Buffer, p: number): Buffer {
    return held ? Buffer.concat([this.header.subarray(0, this.headerUsed), chunk.subarray(p)]) : chunk.subarray(p);
  }

  /** Pushes what was read, hands `rest` back to node-postgres and, when `ended`, ends the stream. */
  private finish(chunk: Buffer, out: number, rest: Buffer, ended: boolean): boolean {
    if (out > 0) this.push(chunk.subarray(0, out));
    const socket = this.connection!.stream;
    const handler = this.pgDataHandler!;
    socket.removeListener('readable', this.onReadable);
    socket.on('data', handler);
    this.connection = null;
    this.pgDataHandler = null;
    handler(rest);
    // Reading the socket in paused mode left it paused: node-postgres reads in flowing mode.
    process.nextTick(() => socket.resume());
    if (ended) this.push(null);
    return false;
  }

  /** node-postgres: the server reported an error (after `finish` handed its message back). */
  handleError(err: Error): void {
    this.destroy(err);
  }

  handleCommandComplete(msg: { text?: string } | undefined): void {
    const match = /COPY (\d+)/.exec(msg?.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {}
}
