import { RecordBatchStreamWriter, type RecordBatch } from 'apache-arrow';

/** A batch as a self-contained Arrow IPC stream, in a buffer of its own (so it can be transferred). */
export function toIpc(batch: RecordBatch): Uint8Array {
  const ipc = RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  return ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? ipc : ipc.slice();
}

/**
 * apache-arrow's stream writer, with what it writes gathered into a buffer of ours instead
 * of its queue (which it joins into a new buffer at the end).
 */
class GatheringWriter extends RecordBatchStreamWriter {
  constructor(private readonly into: IpcBuffer) {
    super();
  }

  protected override _write(chunk: Parameters<RecordBatchStreamWriter['_write']>[0]): this {
    if (this._started && ArrayBuffer.isView(chunk) && chunk.byteLength > 0) {
      this.into.append(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this._position += chunk.byteLength;
    }
    return this;
  }
}

/**
 * Serialises record batches as Arrow IPC streams into one buffer, reused from batch to
 * batch: the lake export writes hundreds of batches of a few MiB, and a new buffer for each
 * made V8 run a full collection every few of them (it counts buffer memory outside its heap
 * towards the next one). The bytes stay valid until the next `serialise`.
 */
export class IpcBuffer {
  private bytes = new Uint8Array(1 << 20);
  private used = 0;

  serialise(batch: RecordBatch): Uint8Array {
    this.used = 0;
    new GatheringWriter(this).writeAll([batch]);
    return this.bytes.subarray(0, this.used);
  }

  /** @internal for GatheringWriter */
  append(chunk: Uint8Array): void {
    if (this.used + chunk.byteLength > this.bytes.byteLength) {
      const grown = new Uint8Array(Math.max(this.bytes.byteLength * 2, this.used + chunk.byteLength));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.used);
    this.used += chunk.byteLength;
  }
}
