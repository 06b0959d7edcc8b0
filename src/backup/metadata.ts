import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { OpsError } from '../core/errors.js';

/**
 * What a backup says about itself. Known before the dump (server and pg_dump versions, database, time): S3 user
 * metadata of the object (`x-amz-meta-*`). Known only when the upload has finished (sha256, sizes): a small
 * sidecar `<key>.sha256` in `sha256sum` format (`sha256sum -c` checks a downloaded pair), carrying the sizes in its
 * own metadata. Not a CopyObject of the backup onto itself: in a versioned bucket (ours is) that keeps a second,
 * noncurrent copy of every backup for the retention period, and it re-copies the whole object server-side.
 */
export interface BackupMeta {
  sha256?: string;
  /** Bytes of SQL before compression. */
  uncompressedSize?: number;
  /** Bytes of the object (gzip). */
  compressedSize?: number;
  serverVersion?: string;
  pgDumpVersion?: string;
  database?: string;
  createdAt?: string;
  /** What was dumped: `supabase` (restores into a fresh project, or plain PostgreSQL after the bootstrap) or `postgres`. */
  flavor?: string;
}

export const SIDECAR_SUFFIX = '.sha256';

export function toS3Metadata(m: BackupMeta): Record<string, string> {
  const out: Record<string, string> = { tool: 'shisha-ops', format: 'plain-sql-gzip' };
  if (m.sha256) out.sha256 = m.sha256;
  if (m.uncompressedSize !== undefined) out['uncompressed-size'] = String(m.uncompressedSize);
  if (m.compressedSize !== undefined) out['compressed-size'] = String(m.compressedSize);
  if (m.serverVersion) out['server-version'] = m.serverVersion;
  if (m.pgDumpVersion) out['pg-dump-version'] = m.pgDumpVersion;
  if (m.database) out.database = m.database;
  if (m.createdAt) out['created-at'] = m.createdAt;
  if (m.flavor) out.flavor = m.flavor;
  return out;
}

const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

export function fromS3Metadata(md: Record<string, string> | undefined): BackupMeta {
  const m = md ?? {};
  return {
    sha256: m.sha256,
    uncompressedSize: num(m['uncompressed-size']),
    compressedSize: num(m['compressed-size']),
    serverVersion: m['server-version'],
    pgDumpVersion: m['pg-dump-version'],
    database: m.database,
    createdAt: m['created-at'],
    flavor: m.flavor,
  };
}

export interface HeadInfo {
  size: number;
  sse?: string;
  meta: BackupMeta;
}

/** `sha256sum` format: `<hex>  <file name>`. */
export function sidecarBody(sha256: string, key: string): string {
  return `${sha256}  ${key.split('/').pop()}\n`;
}

export function parseSidecar(body: string): string | undefined {
  const m = /^([0-9a-f]{64})\s/.exec(body.trim() + ' ');
  return m?.[1];
}

/** HEAD of a backup plus its recorded metadata (the object's own, then the `.sha256` sidecar's). */
export async function readBackupMeta(s3: S3Client, bucket: string, key: string): Promise<HeadInfo> {
  let head;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    if (err instanceof NotFound || err instanceof NoSuchKey || (err as { name?: string }).name === 'NotFound') {
      throw new OpsError(`HeadObject s3://${bucket}/${key}: no such backup (see \`backup list\`)`);
    }
    throw new OpsError(`HeadObject s3://${bucket}/${key}: ${(err as Error).message}`, { cause: err });
  }
  let meta = fromS3Metadata(head.Metadata);
  try {
    const side = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key + SIDECAR_SUFFIX }));
    const sha256 = parseSidecar((await side.Body?.transformToString()) ?? '');
    const extra = fromS3Metadata(side.Metadata);
    meta = {
      ...meta,
      sha256: sha256 ?? meta.sha256,
      compressedSize: extra.compressedSize ?? meta.compressedSize,
      uncompressedSize: extra.uncompressedSize ?? meta.uncompressedSize,
    };
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== 'NoSuchKey' && name !== 'NotFound') {
      throw new OpsError(`GetObject s3://${bucket}/${key}${SIDECAR_SUFFIX}: ${(err as Error).message}`, { cause: err });
    }
  }
  return { size: head.ContentLength ?? 0, sse: head.ServerSideEncryption, meta };
}

/** Writes `<key>.sha256` (sha256sum format) with the sizes in its metadata. */
export async function writeSidecar(s3: S3Client, bucket: string, key: string, meta: BackupMeta): Promise<void> {
  if (!meta.sha256) throw new Error('no sha256 to record');
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key + SIDECAR_SUFFIX,
      Body: sidecarBody(meta.sha256, key),
      ContentType: 'text/plain; charset=utf-8',
      ServerSideEncryption: 'AES256',
      Metadata: toS3Metadata(meta),
    }),
  );
}
