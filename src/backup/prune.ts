import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { describeError, InputError, OpsError } from '../core/errors.js';
import { getBoolean, getInt, getString, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { humanSize } from '../core/size.js';
import { BACKUP_DEFAULTS } from './defaults.js';
import type { BackupClients } from './clients.js';
import { parseBackupLocationInputs, type BackupLocationInputs } from './inputs.js';
import { isoSeconds, listBackups, type BackupObject } from './list.js';
import { SIDECAR_SUFFIX } from './metadata.js';

/** Which backups a prune removes: older than the cutoff (by the time in their name), never the newest `keep`. */
export function selectForPrune(
  backups: BackupObject[],
  now: Date,
  olderThanDays: number,
  keep: number,
): BackupObject[] {
  const cutoff = now.getTime() - olderThanDays * 86400_000;
  const newestFirst = [...backups].sort((a, b) => b.name.time.getTime() - a.name.time.getTime());
  return newestFirst.slice(keep).filter((b) => b.name.time.getTime() < cutoff);
}

export interface BackupPruneInputs extends BackupLocationInputs {
  days: number;
  keep: number;
  dryRun: boolean;
}

export function parseBackupPruneInputs(inputs: InputSource): BackupPruneInputs {
  const location = parseBackupLocationInputs(inputs);
  if (!getString(inputs, 'older-than-days'))
    throw new InputError('older-than-days', 'is required (a whole number of days, at least 1)');
  const days = getInt(inputs, 'older-than-days', { default: 0, min: 1 });
  const keep = getInt(inputs, 'keep', { default: BACKUP_DEFAULTS.keep, min: 0 });
  const dryRun = getBoolean(inputs, 'dry-run', BACKUP_DEFAULTS['dry-run']);
  return { ...location, days, keep, dryRun };
}

/**
 * `backup prune --older-than-days N`: for buckets without a lifecycle rule. Only objects under the prefix whose
 * names parse as our backups are candidates (never the whole bucket, never other files); `--keep` newest are kept
 * whatever their age; `--dry-run` lists without deleting.
 */
export async function backupPruneJob(
  { bucket, prefix, filter, days, keep, dryRun }: BackupPruneInputs,
  { s3 }: BackupClients,
  reporter: Reporter,
  now: Date = new Date(),
): Promise<BackupObject[]> {
  const all = await listBackups(s3, bucket, prefix, filter);
  const doomed = selectForPrune(all, now, days, keep);
  const keys = doomed.flatMap((b) => [b.key, b.key + SIDECAR_SUFFIX]);
  if (!dryRun) {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      let res;
      try {
        res = await s3.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        );
      } catch (err) {
        throw new OpsError(`DeleteObjects s3://${bucket}/${prefix}/: ${describeError(err)}`, { cause: err });
      }
      const failed = (res.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
      if (failed.length)
        throw new OpsError(
          `DeleteObjects s3://${bucket}: ${failed.length} not deleted, first ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message ?? ''}`,
        );
    }
  }
  reporter.summary({
    title: `${dryRun ? 'Would prune' : 'Pruned'} ${doomed.length} of ${all.length} backup(s) older than ${days} day(s) under s3://${bucket}/${prefix}/`,
    lines: [`the newest ${keep} backup(s) are kept whatever their age`],
    table: doomed.length
      ? [['Created (UTC)', 'Size', 'Key'], ...doomed.map((b) => [isoSeconds(b.name.time), humanSize(b.size), b.key])]
      : undefined,
  });
  reporter.output('deleted', dryRun ? 0 : doomed.length);
  return doomed;
}
