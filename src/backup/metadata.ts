import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { OpsError } from '../core/errors.js';

/**
 * What a backup object says about itself (S3 user metadata, `x-amz-meta-*`). The sha256 and sizes are known only
 * once the upload has finished, so they are written afterwards with a server-side CopyObject onto the same key
 * (MetadataDirective REPLACE, encryption kept); objects too large for CopyObject (> 5 GiB) get a sidecar
 * `<key>.meta.json` instead.
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
}

export const SIDECAR_SUFFIX = '.meta.json';
/** Largest object a single CopyObject can copy. */
export const COPY_LIMIT = 5 * 1024 ** 3;

export function toS3Metadata(m: BackupMeta): Record<string, string> {
  const out: Record<string, string> = { tool: 'shisha-ops', format: 'plain-sql-gzip' };
  if (m.sha256) out.sha256 = m.sha256;
  if (m.uncompressedSize !== undefined) out['uncompressed-size'] = String(m.uncompressedSize);
  if (m.compressedSize !== undefined) out['compressed-size'] = String(m.compressedSize);
  if (m.serverVersion) out['server-version'] = m.serverVersion;
  if (m.pgDumpVersion) out['pg-dump-version'] = m.pgDumpVersion;
  if (m.database) out.database = m.database;
  if (m.createdAt) out['created-at'] = m.createdAt;
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
  };
}

export interface HeadInfo {
  size: number;
  sse?: string;
  meta: BackupMeta;
}

/** HEAD of a backup plus its recorded metadata (from the object, or from the sidecar for very large objects). */
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
  if (!meta.sha256) {
    try {
      const side = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key + SIDECAR_SUFFIX }));
      meta = { ...meta, ...(JSON.parse((await side.Body?.transformToString()) ?? '{}') as BackupMeta) };
    } catch {
      /* no sidecar: the caller reports the missing checksum */
    }
  }
  return { size: head.ContentLength ?? 0, sse: head.ServerSideEncryption, meta };
}

export async function writeSidecar(s3: S3Client, bucket: string, key: string, meta: BackupMeta): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key + SIDECAR_SUFFIX,
      Body: JSON.stringify(meta, null, 2),
      ContentType: 'application/json',
      ServerSideEncryption: 'AES256',
    }),
  );
}

/** CopySource for CopyObject: bucket/key with each key segment URL-encoded. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
