import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { InputError, OpsError, describeError } from '../core/errors.js';
import { getInt, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { listObjects } from '../core/s3.js';
import { BACKUP_DEFAULTS } from './defaults.js';
import type { BackupClients } from './clients.js';
import { parseBackupLocationInputs, type BackupLocationInputs, type BackupSelectionInputs } from './inputs.js';
import { humanSize } from '../core/size.js';
import { isUnderPrefix, parseBackupKey, type BackupName } from './naming.js';

export interface BackupObject {
  key: string;
  size: number;
  lastModified?: Date;
  name: BackupName;
}

/** Every backup under the prefix (all pages, all months), newest first; other objects are ignored. */
export async function listBackups(
  s3: S3Client,
  bucket: string,
  prefix: string,
  filter: { project?: string; environment?: string } = {},
  /** Receives every key listed under the prefix (sidecars included). */
  seen?: Set<string>,
): Promise<BackupObject[]> {
  const out: BackupObject[] = [];
  try {
    for await (const o of listObjects(s3, bucket, prefix ? `${prefix}/` : '')) {
      if (o.Key) seen?.add(o.Key);
      if (!o.Key || !isUnderPrefix(o.Key, prefix)) continue;
      const name = parseBackupKey(o.Key);
      if (!name) continue;
      if (filter.project && name.project !== filter.project) continue;
      if (filter.environment && name.environment !== filter.environment) continue;
      out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified, name });
    }
  } catch (err) {
    throw new OpsError(`ListObjectsV2 s3://${bucket}/${prefix}: ${describeError(err)}`, { cause: err });
  }
  return out.sort(
    (a, b) => b.name.time.getTime() - a.name.time.getTime() || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0),
  );
}

/**
 * Before a dump starts: the bucket exists and the prefix may be listed. ListObjectsV2 under the prefix rather than
 * HeadBucket, because the backup role's s3:ListBucket is limited to the prefix (HeadBucket has none, so it is denied).
 */
export async function checkBackupBucket(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  try {
    await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, MaxKeys: 1 }));
  } catch (err) {
    const name = (err as { name?: string }).name;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'NoSuchBucket' || status === 404)
      throw new InputError(
        'bucket',
        `bucket '${bucket}' does not exist (ListObjectsV2: NoSuchBucket); nothing was dumped`,
      );
    if (status === 403)
      throw new InputError(
        'bucket',
        `listing s3://${bucket}/${prefix}/ is denied (ListObjectsV2: 403): check the role's s3:ListBucket permission`,
      );
    throw new OpsError(`ListObjectsV2 s3://${bucket}/${prefix}/: ${describeError(err)}`, { cause: err });
  }
}

/** The newest backup, for commands whose --key is omitted. */
export async function latestBackup(
  s3: S3Client,
  bucket: string,
  prefix: string,
  filter: { project?: string; environment?: string },
): Promise<string> {
  const all = await listBackups(s3, bucket, prefix, filter);
  if (!all[0]) throw new OpsError(`no backups under s3://${bucket}/${prefix}${prefix ? '/' : ''}`);
  return all[0].key;
}

/**
 * The backup a command works on: `key` when given, else the newest under the prefix (of `project`/`environment`
 * when given). The location inputs are validated before anything is listed.
 */
export async function selectBackup(
  { bucket, prefix, filter, key }: BackupSelectionInputs,
  s3: S3Client,
): Promise<{ bucket: string; key: string }> {
  return { bucket, key: key || (await latestBackup(s3, bucket, prefix, filter)) };
}

export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `backup list`: newest first, `limit` rows (0 = all). Outputs `latest-key` and `count`. */
export interface BackupListInputs extends BackupLocationInputs {
  /** Rows to show; 0 for all. */
  limit: number;
}

export function parseBackupListInputs(src: InputSource): BackupListInputs {
  const location = parseBackupLocationInputs(src);
  return { ...location, limit: getInt(src, 'limit', { default: BACKUP_DEFAULTS.limit, min: 0 }) };
}

export async function backupListJob(
  { bucket, prefix, filter, limit }: BackupListInputs,
  { s3 }: BackupClients,
): Promise<BackupListResult> {
  const all = await listBackups(s3, bucket, prefix, filter);
  const shown = limit ? all.slice(0, limit) : all;
  return { shown, count: all.length, latestKey: all[0]?.key ?? '' };
}

/** `backup list`'s summary: the backups shown, newest first. */
export function reportBackupList(r: BackupListResult, { bucket, prefix }: BackupListInputs, reporter: Reporter): void {
  reporter.summary({
    title: `Backups in s3://${bucket}/${prefix} (newest first)`,
    lines: [
      r.count > r.shown.length ? `${r.shown.length} of ${r.count} shown (--limit 0 for all)` : `${r.count} backup(s)`,
    ],
    table: [
      ['Created (UTC)', 'Size', 'Key'],
      ...r.shown.map((b) => [isoSeconds(b.name.time), humanSize(b.size), b.key]),
    ],
  });
}

/** `backup list`: the backups shown (newest first), how many there are, and the newest one's key ('' when none). */
export interface BackupListResult {
  shown: BackupObject[];
  count: number;
  latestKey: string;
}
