import os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { gzip, type ZlibOptions } from 'node:zlib';

export interface ParallelGzipOptions {
  level: number;
  /** Bytes of input per gzip member (default 1 MiB: the ratio loss against one stream is well under 1%). */
  blockSize?: number;
  /** Blocks compressed at once on libuv's thread pool (default: CPU count, at least 2). */
  concurrency?: number;
}

interface Member {
  out?: Buffer;
  err?: Error;
}

/**
 * gzip on several cores, the way pigz does it: the input is cut into blocks, each block is compressed as its own
 * gzip member on the thread pool, and the members are written in order. Concatenated members are a valid gzip
 * file (RFC 1952 §2.2); `gunzip`, zlib, Python and every other reader handle them.
 *
 * Each block is compressed in one pass: zlib's output buffer is half a block (typical SQL compresses better than 2:1
 * at any level), so the main thread sees one callback per block instead of one per 16 KiB of output (zlib's default),
 * and a pool thread never waits for the main thread between two pieces of a block. On a 118 MiB dump that took the
 * main thread's zlib callbacks from about 1 s to about 0.1 s (`--cpu-prof`). One block more than `concurrency` is
 * in flight, so the producer keeps writing while a block waits for its turn to be written out. Memory stays bounded
 * at about blockSize × 3 × (concurrency + 1); back-pressure flows through as with any Transform.
 */
export class ParallelGzip extends Transform {
  private readonly zlib: ZlibOptions;
  private readonly blockSize: number;
  private readonly inFlight: number;
  private block: Buffer | undefined;
  private filled = 0;
  /** Block buffers whose compression finished, reused: fewer large allocations, fewer full garbage collections. */
  private readonly spare: Buffer[] = [];
  /** Members in input order; the head is written out as soon as it is compressed. */
  private readonly queue: Member[] = [];
  /** The write callback, held back while `inFlight` blocks are compressing (back-pressure on the producer). */
  private waiting: TransformCallback | undefined;
  private flushed: TransformCallback | undefined;

  constructor(opts: ParallelGzipOptions) {
    super();
    this.blockSize = opts.blockSize ?? 1024 * 1024;
    // At most the libuv pool's threads (zlib runs there): more blocks in flight would only wait and hold memory.
    const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const cores = os.availableParallelism?.() ?? os.cpus().length;
    const concurrency = Math.max(2, opts.concurrency ?? Math.min(cores, pool));
    this.inFlight = concurrency + 1;
    // memLevel 9: a larger hash table, a little faster and smaller at the same level (256 KiB more per block).
    this.zlib = { level: opts.level, memLevel: 9, chunkSize: Math.max(16 * 1024, Math.ceil(this.blockSize / 2)) };
  }

  private submit(): void {
    if (!this.block || this.filled === 0) return;
    const block = this.block;
    const input = block.subarray(0, this.filled);
    this.block = undefined;
    this.filled = 0;
    const member: Member = {};
    this.queue.push(member);
    gzip(input, this.zlib, (err, out) => {
      if (err) member.err = err;
      else member.out = out;
      this.spare.push(block);
      this.drain();
    });
  }

  /** Writes the compressed members at the head of the queue, in order; releases the producer and the flush. */
  private drain(): void {
    if (this.destroyed) return;
    while (this.queue.length && (this.queue[0]!.out || this.queue[0]!.err)) {
      const { out, err } = this.queue.shift()!;
      if (err) return void this.destroy(err);
      this.push(out);
    }
    if (this.waiting && this.queue.length < this.inFlight) {
      const cb = this.waiting;
      this.waiting = undefined;
      cb();
    }
    if (this.flushed && this.queue.length === 0) {
      const cb = this.flushed;
      this.flushed = undefined;
      cb();
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    for (let at = 0; at < chunk.length;) {
      this.block ??= this.spare.pop() ?? Buffer.allocUnsafeSlow(this.blockSize);
      const n = chunk.copy(this.block, this.filled, at);
      at += n;
      this.filled += n;
      if (this.filled === this.blockSize) this.submit();
    }
    if (this.queue.length < this.inFlight) cb();
    else this.waiting = cb;
  }

  override _flush(cb: TransformCallback): void {
    this.submit();
    this.flushed = cb;
    this.drain();
  }
}
