import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CancelledError, describeError, OpsError } from '../core/errors.js';
import { hashingTap } from '../core/hash.js';
import type { Reporter } from '../core/reporter.js';
import { mainLine } from '../core/process.js';
import { humanSize } from '../core/size.js';
import { DumpFailed, type DumpSource } from './dump-source.js';
import { MultipartWriter } from './multipart-writer.js';
import { ParallelGzip } from './parallel-gzip.js';

export interface DumpUploadParams {
  s3: S3Client;
  bucket: string;
  key: string;
  /** What to upload: the dump's producers concatenated (see dump-source.ts); created, not yet read. */
  source: DumpSource;
  level: number;
  /** Metadata known before the dump (versions, database). */
  metadata: Record<string, string>;
  reporter: Reporter;
  /** Size of the first parts (it doubles every 2,000 parts); memory is about partSize × (queueSize + 1). */
  partSize?: number;
  queueSize?: number;
  /** Sees every byte of SQL, in order, before it is compressed (the manifest's scanner). */
  onSql?: (chunk: Buffer) => void;
  /** Aborting it (SIGINT/SIGTERM) stops the dump and aborts the upload; the promise rejects with its reason. */
  signal?: AbortSignal;
}

export interface DumpUploadResult {
  sha256: string;
  /** Bytes of SQL the dump wrote. */
  uncompressedSize: number;
  /** Bytes of the object. */
  compressedSize: number;
}

/**
 * Parts start at S3's smallest, 5 MiB, and double every 2,000 parts (multipart-writer.ts): a backup of up to 9.8 GiB
 * compressed (most databases) holds 3 × 5 MiB of parts, and S3's 10,000 parts carry up to about 303 GiB compressed
 * (fixed 8 MiB parts stopped at 78 GiB and always held 24 MiB).
 */
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 2;

/**
 * dump source → gzip (on all cores, see ParallelGzip) → S3 multipart upload (SSE AES256), hashing the gzip bytes on
 * the way: constant memory, no temp file. The source ends only once every producer exited 0: a failed or killed
 * pg_dump makes the stream fail instead of end, so the upload is never completed with a truncated dump. On any
 * failure the multipart upload is aborted and the source is stopped; nothing is left in the bucket.
 */
export async function dumpToS3(p: DumpUploadParams): Promise<DumpUploadResult> {
  const { reporter, source } = p;
  let raw = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      raw += chunk.length;
      p.onSql?.(chunk);
      cb(null, chunk);
    },
  });
  const hashed = hashingTap();
  const tap = hashed.tap;

  const upload = new MultipartWriter({
    s3: p.s3,
    params: {
      Bucket: p.bucket,
      Key: p.key,
      ServerSideEncryption: 'AES256',
      ContentType: 'application/gzip',
      Metadata: p.metadata,
    },
    partSize: p.partSize ?? DEFAULT_PART_SIZE,
    queueSize: p.queueSize ?? DEFAULT_QUEUE_SIZE,
  });

  const started = Date.now();
  const ticker = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    reporter.info(`${s}s: dumped ${humanSize(raw)}, uploaded ${humanSize(hashed.bytes())} compressed`);
  }, 30000);
  ticker.unref();

  // Any failure (the dump, the compression, a part, the completion) destroys every stream of the pipeline: the
  // writer aborts the multipart upload, and the dump is stopped (pg_dump would otherwise block on a full pipe).
  const piped = pipeline(source.stream, counter, new ParallelGzip({ level: p.level }), tap, upload).then(
    () => undefined,
    (err: unknown) => {
      source.stop();
      return { err };
    },
  );
  // Cancelled (SIGINT/SIGTERM): stop the dump, abort the upload; the clean-up below removes whatever remains.
  const onAbort = () => {
    source.stop();
    upload.destroy(p.signal?.reason instanceof Error ? p.signal.reason : new Error('cancelled'));
  };
  if (p.signal?.aborted) onAbort();
  else p.signal?.addEventListener('abort', onAbort, { once: true });
  const piping = await piped;
  p.signal?.removeEventListener('abort', onAbort);
  clearInterval(ticker);
  const dumped = await source.done.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (p.signal?.aborted && piping) {
    await cleanUp(p.s3, p.bucket, p.key, upload.stored || upload.completing, reporter);
    throw p.signal.reason instanceof CancelledError ? p.signal.reason : new CancelledError('SIGTERM');
  }
  if (!piping && dumped === undefined) {
    for (const w of source.warnings) {
      for (const l of reporter
        .redact(w.stderr)
        .split('\n')
        .filter((x) => x.trim())
        .slice(-20))
        reporter.warn(`${w.producer}: ${l}`);
    }
    return { sha256: hashed.digest(), uncompressedSize: raw, compressedSize: hashed.bytes() };
  }

  // Failure: make sure no object and no open multipart upload remains.
  await cleanUp(p.s3, p.bucket, p.key, upload.stored || upload.completing, reporter);
  if (dumped instanceof DumpFailed && !dumped.afterStop) {
    const lines = reporter
      .redact(dumped.stderr)
      .trim()
      .split('\n')
      .filter((l) => l.trim());
    if (lines.length) reporter.error(`${dumped.producer} stderr:\n${lines.slice(-30).join('\n')}`);
    const last = mainLine(lines);
    throw new OpsError(
      reporter.redact(`${dumped.message}${last ? `: ${last}` : ''}; the upload was aborted, nothing was stored`),
    );
  }
  const reason = upload.failure ?? piping?.err ?? dumped ?? new Error('unknown');
  throw new OpsError(
    reporter.redact(
      `upload to s3://${p.bucket}/${p.key} failed: ${describeError(reason)}; the upload was aborted, nothing was stored`,
    ),
    {
      cause: reason,
    },
  );
}

/** Aborts any open multipart upload of this exact key and deletes the object if it was completed after all. */
async function cleanUp(
  s3: S3Client,
  bucket: string,
  key: string,
  completed: boolean,
  reporter: Reporter,
): Promise<void> {
  try {
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    for (const u of open.Uploads ?? []) {
      if (u.Key !== key || !u.UploadId) continue;
      // The writer aborts on any failure too: an upload that is already gone (NoSuchUpload) is what we want.
      await s3
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: u.UploadId }))
        .catch((err: unknown) => {
          if ((err as { name?: string }).name !== 'NoSuchUpload') throw err;
        });
    }
    if (completed) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    reporter.warn(
      `could not clean up s3://${bucket}/${key} (abort the multipart upload by hand): ${describeError(err)}`,
    );
  }
}
