import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeError, OpsError } from '../core/errors.js';
import { hashingTap } from '../core/hash.js';
import type { Reporter } from '../core/reporter.js';
import { humanSize } from '../core/size.js';
import type { BackupClients } from './clients.js';
import type { BackupSelectionInputs } from './inputs.js';
import { selectBackup } from './list.js';
import { compareTables, describeMismatch, readManifest } from './manifest.js';
import { readBackupMeta, type BackupMeta } from './metadata.js';
import { ScanRefusal, SqlScanner } from './sql-scanner.js';

export interface VerifyResult {
  key: string;
  size: number;
  sha256: string;
  uncompressedSize: number;
  meta: BackupMeta;
}

/** Opens a backup for reading (GetObject body as a Node stream). */
export async function openBackup(s3: S3Client, bucket: string, key: string): Promise<Readable> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return res.Body as Readable;
  } catch (err) {
    throw new OpsError(`GetObject s3://${bucket}/${key}: ${describeError(err)}`, { cause: err });
  }
}

/**
 * Checks a stored backup: HEAD (size and encryption against the recorded metadata), then streams the whole object
 * to re-hash it, gunzips it to check the uncompressed size and that the dump ends with pg_dump's completion line.
 */
export async function verifyBackup(
  s3: S3Client,
  bucket: string,
  key: string,
  reporter: Reporter,
): Promise<VerifyResult> {
  const head = await readBackupMeta(s3, bucket, key);
  const { meta } = head;
  const where = `s3://${bucket}/${key}`;
  if (!meta.sha256)
    throw new OpsError(
      `verify ${where}: no checksum recorded (no ${key.split('/').pop()}.sha256 next to it: not written by shisha-ops, or its run failed)`,
    );
  if (meta.compressedSize !== undefined && meta.compressedSize !== head.size) {
    throw new OpsError(`verify ${where}: size is ${head.size} bytes, the backup recorded ${meta.compressedSize}`);
  }
  if (head.sse !== 'AES256' && head.sse !== 'aws:kms')
    reporter.warn(`${where} is not encrypted at rest (ServerSideEncryption: ${head.sse ?? 'none'})`);
  const body = await openBackup(s3, bucket, key);
  const h = hashingTap();
  const manifest = await readManifest(s3, bucket, key);
  let plain = 0;
  const scanner = new SqlScanner({ guard: true });
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      plain += chunk.length;
      try {
        scanner.push(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  try {
    await pipeline(body, h.tap, createGunzip(), sink);
  } catch (err) {
    if (err instanceof ScanRefusal)
      throw new OpsError(`verify ${where}: \`backup restore\` would refuse it at ${err.message}`);
    throw new OpsError(`verify ${where}: reading or gunzipping the object failed: ${describeError(err)}`, {
      cause: err,
    });
  }
  const sha256 = h.digest();
  if (sha256 !== meta.sha256)
    throw new OpsError(`verify ${where}: sha256 is ${sha256}, the backup recorded ${meta.sha256}`);
  if (meta.uncompressedSize !== undefined && plain !== meta.uncompressedSize) {
    throw new OpsError(
      `verify ${where}: gunzipped size is ${plain} bytes, the backup recorded ${meta.uncompressedSize}`,
    );
  }
  const incomplete = scanner.incompleteReason();
  if (incomplete) throw new OpsError(`verify ${where}: the dump is incomplete: ${incomplete}`);
  if (manifest) {
    const rows = compareTables(manifest.tables, scanner.tableData());
    if (rows.some((r) => !r.match)) throw new OpsError(`verify ${where}: ${describeMismatch(rows)}`);
  } else reporter.warn(`${where} has no .manifest.json: its tables could not be checked`);
  reporter.info(
    `verified ${where}: ${humanSize(head.size)}, sha256 ${sha256}, ${humanSize(plain)} of SQL, complete${manifest ? `, ${manifest.tables.length} table(s) match the manifest` : ''}`,
  );
  return { key, size: head.size, sha256, uncompressedSize: plain, meta };
}

/** `backup verify --key K` (newest backup when --key is omitted). */
export async function backupVerifyJob(
  inputs: BackupSelectionInputs,
  { s3 }: BackupClients,
  reporter: Reporter,
): Promise<VerifyResult> {
  const { bucket, key } = await selectBackup(inputs, s3);
  return verifyBackup(s3, bucket, key, reporter);
}

/** `backup verify`'s summary: the backup and what it holds. */
export function reportBackupVerify(r: VerifyResult, _inputs: unknown, reporter: Reporter): void {
  reporter.summary({
    title: 'Backup verified',
    table: [
      ['Key', 'Size', 'SQL size', 'sha256', 'Server', 'pg_dump'],
      [
        r.key,
        humanSize(r.size),
        humanSize(r.uncompressedSize),
        r.sha256,
        r.meta.serverVersion ?? '?',
        r.meta.pgDumpVersion ?? '?',
      ],
    ],
  });
}
