import { Writable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

/** What the object is created with (SSE, content type, metadata): the same for a single PUT and a multipart upload. */
export interface ObjectParams {
  Bucket: string;
  Key: string;
  ServerSideEncryption?: 'AES256';
  ContentType?: string;
  Metadata?: Record<string, string>;
}

export interface MultipartWriterOptions {
  s3: S3Client;
  params: ObjectParams;
  /** Bytes of the first parts (at least 5 MiB, S3's minimum for every part but the last). */
  partSize: number;
  /**
   * The part size doubles after every this many parts (default 2,000): small parts, so little memory, for the
   * backups most databases make, and room for large ones within S3's 10,000 parts (see partSizeOf).
   */
  growEvery?: number;
  /** Parts sent at once; memory is partSize × (queueSize + 1), allocated once and reused. */
  queueSize: number;
}

/** S3's limits: parts per upload, and the smallest part but the last. */
export const MAX_PARTS = 10_000;
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** S3's largest part. */
export const MAX_PART_SIZE = 5 * 1024 ** 3;

/**
 * The size of part `n` (from 1): `first` for the first `growEvery` parts, then twice that for the next `growEvery`,
 * and so on (S3 allows parts of different sizes; all but the last at least 5 MiB). With 5 MiB and 2,000: 5, 10, 20,
 * 40 and 80 MiB parts, an object of up to 2,000 × 155 MiB ≈ 303 GiB in 10,000 parts.
 */
export function partSizeOf(n: number, first: number, growEvery: number): number {
  return Math.min(first * 2 ** Math.floor((n - 1) / growEvery), MAX_PART_SIZE);
}

/** The largest object that `first` and `growEvery` allow in S3's 10,000 parts. */
export function largestObject(first: number, growEvery: number): number {
  let total = 0;
  for (let n = 1; n <= MAX_PARTS; n += growEvery)
    total += partSizeOf(n, first, growEvery) * Math.min(growEvery, MAX_PARTS - n + 1);
  return total;
}

/**
 * A Writable that stores what is written as one S3 object: a single PutObject when it all fits in one part, otherwise
 * a multipart upload whose parts are sent `queueSize` at a time (the SDK client retries each request on throttling,
 * 5xx and resets). The bytes are copied once, into part buffers allocated once and reused: unlike lib-storage's
 * `Upload` (which concatenates stream chunks into a fresh buffer per part), it leaves no part-sized garbage for the
 * collector, so memory stays at partSize × (queueSize + 1) plus the stream's own buffers.
 *
 * Parts carry a CRC32 checksum (as lib-storage sends them, unless the client is configured WHEN_REQUIRED), which S3
 * verifies. Any failure (a part, the completion, or destroy() by the caller) aborts the multipart upload, so no part
 * is left in the bucket; the stream errors with the first failure.
 */
export class MultipartWriter extends Writable {
  private readonly s3: S3Client;
  private readonly params: ObjectParams;
  private readonly firstPartSize: number;
  private readonly growEvery: number;
  /** The size of the part being filled (partSizeOf the next part number). */
  private partSize: number;
  private readonly queueSize: number;
  /** Cancels requests in flight when the stream is destroyed. */
  private readonly cancel = new AbortController();
  private readonly spare: Buffer[] = [];
  private allocated = 0;
  private part: Buffer | undefined;
  private filled = 0;
  private partNumber = 0;
  private checksum: ChecksumAlgorithm | undefined;
  private uploadId: Promise<string> | undefined;
  /** Part requests in flight; they never reject (a failure is kept in `failure`). */
  private readonly sending = new Set<Promise<void>>();
  private readonly completed: CompletedPart[] = [];
  /** The first request that failed (a part or the multipart upload's creation), if any. */
  failure: unknown;
  /** True once the object exists (the PUT or the completion succeeded). */
  stored = false;
  /**
   * True once the request that creates the object (the single PUT or the completion) was sent: S3 may have applied
   * it even when its answer never arrived (cancelled, timed out), so a caller cleaning up must delete the key.
   */
  completing = false;

  constructor(opts: MultipartWriterOptions) {
    super({ highWaterMark: 1 });
    if (opts.partSize < MIN_PART_SIZE) throw new Error(`part size ${opts.partSize} is below S3's minimum of 5 MiB`);
    if (opts.queueSize < 1) throw new Error(`queue size ${opts.queueSize} must be at least 1`);
    this.s3 = opts.s3;
    this.params = opts.params;
    this.firstPartSize = opts.partSize;
    this.growEvery = opts.growEvery ?? 2000;
    this.partSize = opts.partSize;
    this.queueSize = opts.queueSize;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.take(chunk).then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.finish().then(() => cb(), cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.stored) return cb(err);
    // Stop the requests in flight (a single PUT too), then abort: a part that completed after the abort would
    // otherwise stay stored.
    this.cancel.abort();
    if (!this.uploadId) return cb(err);
    const uploadId = this.uploadId;
    void Promise.allSettled(this.sending)
      .then(() => uploadId)
      .then((UploadId) =>
        this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.params.Bucket, Key: this.params.Key, UploadId })),
      )
      .catch(() => undefined) // the caller lists and aborts what is left, and says so if it cannot
      .finally(() => cb(err));
  }

  private async take(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      this.part ??= await this.freeBuffer();
      const n = chunk.copy(this.part, this.filled, at);
      at += n;
      this.filled += n;
      if (this.filled === this.partSize) await this.send();
    }
  }

  private async finish(): Promise<void> {
    if (this.partNumber === 0) {
      // All of it fits in one part: one PUT, no multipart upload.
      const body = this.part?.subarray(0, this.filled) ?? Buffer.alloc(0);
      this.completing = true;
      await this.s3.send(new PutObjectCommand({ ...this.params, Body: body }), { abortSignal: this.cancel.signal });
      this.stored = true;
      return;
    }
    if (this.filled > 0) await this.send();
    await Promise.all(this.sending);
    if (this.failure) throw this.failure;
    const parts = this.completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
    const UploadId = await this.uploadId!;
    this.completing = true;
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.params.Bucket,
        Key: this.params.Key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
      { abortSignal: this.cancel.signal },
    );
    this.stored = true;
  }

  /**
   * A part buffer of the current part size to fill: a spare one, a new one while fewer than queueSize + 1 exist, or
   * the next one freed. Once the part size has grown, buffers of the old size are let go as they come back.
   */
  private async freeBuffer(): Promise<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      const b = this.spare.pop();
      if (b && b.length === this.partSize) return b;
      if (b) this.allocated--;
      if (this.allocated <= this.queueSize) {
        this.allocated++;
        return Buffer.allocUnsafeSlow(this.partSize);
      }
      await Promise.race(this.sending);
    }
  }

  /** Sends the part being filled once fewer than queueSize parts are in flight (back-pressure on the writer). */
  private async send(): Promise<void> {
    while (this.sending.size >= this.queueSize) await Promise.race(this.sending);
    if (this.failure) throw this.failure;
    const buffer = this.part!;
    const body = buffer.subarray(0, this.filled);
    this.part = undefined;
    this.filled = 0;
    const PartNumber = ++this.partNumber;
    if (PartNumber > MAX_PARTS) {
      throw new Error(
        `the object is larger than ${largestObject(this.firstPartSize, this.growEvery)} bytes, what ${MAX_PARTS} parts (S3's limit for one upload) carry`,
      );
    }
    this.partSize = partSizeOf(PartNumber + 1, this.firstPartSize, this.growEvery);
    this.uploadId ??= this.create();
    const sent: Promise<void> = this.uploadPart(PartNumber, body)
      .then(
        (done) => {
          this.completed.push(done);
          this.spare.push(buffer); // the request is over: the buffer is ours again
        },
        (err: unknown) => {
          // The buffer may still be read by the failed request: never reused. A request we cancelled (destroy) is
          // not the cause: the failure that made us cancel is reported instead.
          if (this.cancel.signal.aborted) return;
          this.failure ??= err;
          // Stop the pipeline now (the dump, its snapshot), not when the next part is full.
          this.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      )
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  private async create(): Promise<string> {
    // As lib-storage does: CRC32 per part unless the client computes checksums only when an operation requires them.
    if ((await this.s3.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED') this.checksum = 'CRC32';
    const res = await this.s3.send(
      new CreateMultipartUploadCommand({ ...this.params, ChecksumAlgorithm: this.checksum }),
      {
        abortSignal: this.cancel.signal,
      },
    );
    if (!res.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
    return res.UploadId;
  }

  private async uploadPart(PartNumber: number, Body: Buffer): Promise<CompletedPart> {
    const UploadId = await this.uploadId!;
    const res = await this.s3.send(
      new UploadPartCommand({
        Bucket: this.params.Bucket,
        Key: this.params.Key,
        UploadId,
        PartNumber,
        Body,
        ChecksumAlgorithm: this.checksum,
      }),
      { abortSignal: this.cancel.signal },
    );
    if (!res.ETag) throw new Error(`UploadPart ${PartNumber} returned no ETag`);
    return { PartNumber, ETag: res.ETag, ...(res.ChecksumCRC32 && { ChecksumCRC32: res.ChecksumCRC32 }) };
  }
}
