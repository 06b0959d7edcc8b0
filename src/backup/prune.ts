import { deleteObjects } from '../core/s3.js';
import { getBoolean, getInt, type InputSource } from '../core/inputs.js';
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
  const days = getInt(inputs, 'older-than-days', { min: 1 });
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
  _reporter: Reporter,
  now: Date = new Date(),
): Promise<BackupPruneResult> {
  const all = await listBackups(s3, bucket, prefix, filter);
  const doomed = selectForPrune(all, now, days, keep);
  const keys = doomed.flatMap((b) => [b.key, b.key + SIDECAR_SUFFIX]);
  if (!dryRun) await deleteObjects(s3, bucket, keys);
  return { pruned: doomed, deleted: dryRun ? 0 : doomed.length, total: all.length };
}

/** `backup prune`: the backups past their time (deleted unless a dry run), how many were deleted, of how many. */
export interface BackupPruneResult {
  pruned: BackupObject[];
  deleted: number;
  total: number;
}

/** `backup prune`'s summary: what was (or would be) pruned. */
export function reportBackupPrune(r: BackupPruneResult, inputs: BackupPruneInputs, reporter: Reporter): void {
  const { bucket, prefix, days, keep, dryRun } = inputs;
  reporter.summary({
    title: `${dryRun ? 'Would prune' : 'Pruned'} ${r.pruned.length} of ${r.total} backup(s) older than ${days} day(s) under s3://${bucket}/${prefix}/`,
    lines: [`the newest ${keep} backup(s) are kept whatever their age`],
    table: r.pruned.length
      ? [['Created (UTC)', 'Size', 'Key'], ...r.pruned.map((b) => [isoSeconds(b.name.time), humanSize(b.size), b.key])]
      : undefined,
  });
}
