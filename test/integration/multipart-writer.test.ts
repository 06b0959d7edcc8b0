/**
 * The backup's S3 writer (src/backup/multipart-writer.ts) against moto_server, through the fault-injecting proxy:
 * the object is exactly what was written, parts that fail transiently are retried, and any failure leaves nothing.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { MultipartWriter } from '../../src/backup/multipart-writer.js';
import { createDumpSource } from '../../src/backup/dump-source.js';
import { dumpToS3 } from '../../src/backup/dump-upload.js';
import { captureReporter } from '../lab/capture.js';
import { uniqueName, useLabAws } from '../lab/shared.js';
import { useFaultProxy } from '../lab/use-fault-proxy.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `data` as a stream of uneven chunks (some smaller than a part, some spanning parts). */
function chunked(data: Buffer): Readable {
  const sizes = [7, 300_000, 6 * MiB + 3, 1, 2 * MiB];
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(chunks);
}

describe('MultipartWriter', () => {
  const bucket = uniqueName('mpu-writer');
  let s3: ReturnType<typeof s3Client>;
  const writer = (key: string) =>
    new MultipartWriter({
      s3,
      params: {
        Bucket: bucket,
        Key: key,
        ServerSideEncryption: 'AES256',
        ContentType: 'application/gzip',
        Metadata: { database: 'app' },
      },
      partSize: 5 * MiB,
      queueSize: 2,
    });
  const state = async () => ({
    objects: ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key),
    uploads: ((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).map((u) => u.Key),
  });

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  });
  const proxy = useFaultProxy();
  beforeAll(() => {
    s3 = s3Client();
  });

  it('stores exactly the bytes written, in parts, encrypted, with its type and metadata; retries failed parts', async () => {
    const data = randomBytes(17 * MiB + 12345);
    proxy.clear();
    proxy.inject({ method: 'PUT', path: '/big.gz', fault: '503', times: 1 });
    proxy.inject({ method: 'PUT', path: '/big.gz', fault: 'reset', times: 1 });
    await pipeline(chunked(data), writer('big.gz'));

    expect(proxy.faults.map((r) => r.fault)).toEqual(['503', 'reset']);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.gz' }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    expect(sha(body)).toBe(sha(data));
    expect(got.ETag).toMatch(/-4"$/); // four parts: 5 + 5 + 5 + 2 MiB
    expect(got.ServerSideEncryption).toBe('AES256');
    expect(got.ContentType).toBe('application/gzip');
    expect(got.Metadata).toEqual({ database: 'app' });
    expect((await state()).uploads).toEqual([]);
  });

  it('grows the part size as the parts add up, and the object is still exactly the bytes written', async () => {
    const data = randomBytes(17 * MiB + 5);
    proxy.clear();
    const w = new MultipartWriter({
      s3,
      params: { Bucket: bucket, Key: 'grown.gz' },
      partSize: 5 * MiB,
      queueSize: 2,
      growEvery: 1,
    });
    await pipeline(chunked(data), w);
    const sizes = proxy.seen.filter((r) => r.method === 'PUT').length;
    expect(sizes).toBe(3); // 5 + 10 + 2 MiB (the next would have been 20)
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'grown.gz' }));
    expect(sha(Buffer.from(await got.Body!.transformToByteArray()))).toBe(sha(data));
    expect(got.ETag).toMatch(/-3"$/);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'grown.gz' }));
  });

  it('stores what fits in one part with a single PUT, and an empty stream as an empty object', async () => {
    const data = randomBytes(3 * MiB);
    proxy.clear();
    await pipeline(chunked(data), writer('small.gz'));
    expect(proxy.seen.map((r) => r.method)).toEqual(['PUT']);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'small.gz' }));
    expect(sha(Buffer.from(await got.Body!.transformToByteArray()))).toBe(sha(data));
    expect(got.ServerSideEncryption).toBe('AES256');

    await pipeline(Readable.from([]), writer('empty.gz'));
    const empty = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'empty.gz' }));
    expect((await empty.Body!.transformToByteArray()).length).toBe(0);
    expect((await state()).objects.sort()).toEqual(['big.gz', 'empty.gz', 'small.gz']);
  });

  it('aborts the multipart upload when a part keeps failing: the stream errors, nothing is left', async () => {
    proxy.clear();
    proxy.inject({ method: 'PUT', path: '/denied.gz', fault: '403' });
    const w = writer('denied.gz');
    await expect(pipeline(chunked(randomBytes(16 * MiB)), w)).rejects.toThrow(/Access Denied/);
    expect(w.stored).toBe(false);
    expect(proxy.seen.some((r) => r.method === 'DELETE' && r.path === `/${bucket}/denied.gz`)).toBe(true);
    expect(await state()).toEqual({ objects: ['big.gz', 'empty.gz', 'small.gz'], uploads: [] });
  });

  it('aborts the multipart upload when the input fails mid-way (a failed dump): nothing is left', async () => {
    async function* failing() {
      yield randomBytes(12 * MiB);
      throw new Error('pg_dump was killed by SIGKILL');
    }
    const w = writer('cut.gz');
    await expect(pipeline(Readable.from(failing()), w)).rejects.toThrow(/SIGKILL/);
    expect(w.stored).toBe(false);
    expect(await state()).toEqual({ objects: ['big.gz', 'empty.gz', 'small.gz'], uploads: [] });
  });
});

describe('dumpToS3 when the answer that stores the object is lost', () => {
  const bucket = uniqueName('mpu-lost');
  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  });
  const proxy = useFaultProxy();

  it('deletes the object S3 completed after all, and says nothing was stored', async () => {
    const s3 = s3Client();
    // Incompressible SQL text (random base64) of about 12 MiB: two parts of gzip.
    const sql = `-- dump\n${randomBytes(9 * MiB).toString('base64')}\n`;
    // S3 completes the upload, and the connection drops before its answer, on every attempt the SDK makes.
    proxy.clear();
    proxy.inject({ method: 'POST', path: `/${bucket}/lost.sql.gz`, query: 'uploadId=', fault: 'lost' });
    const { reporter } = captureReporter();
    await expect(
      dumpToS3({
        s3,
        bucket,
        key: 'lost.sql.gz',
        source: createDumpSource([{ kind: 'sql', name: 'sql', sql: () => sql }]),
        level: 1,
        metadata: {},
        reporter,
      }),
    ).rejects.toThrow(/nothing was stored/);
    expect(proxy.faults.length).toBeGreaterThan(0);
    expect(proxy.faults.every((r) => r.fault === 'lost')).toBe(true);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((left.Contents ?? []).map((o) => o.Key)).toEqual([]);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
  });
});
