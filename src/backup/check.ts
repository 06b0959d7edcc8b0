import { OpsError } from '../core/errors.js';
import { failedWith } from '../core/command.js';
import { getInt, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import type { BackupClients } from './clients.js';
import { parseBackupLocationInputs, type BackupLocationInputs } from './inputs.js';
import { isoSeconds, listBackups } from './list.js';
import { MANIFEST_SUFFIX } from './manifest.js';
import { SIDECAR_SUFFIX } from './metadata.js';

export interface BackupCheckInputs extends BackupLocationInputs {
  /** The largest acceptable age of the newest backup. */
  maxDays: number;
}

export function parseBackupCheckInputs(inputs: InputSource): BackupCheckInputs {
  return { ...parseBackupLocationInputs(inputs), maxDays: getInt(inputs, 'max-age-days', { min: 1 }) };
}

/**
 * `backup check --bucket B --max-age-days 8`: fails (exit 1) when the newest backup is older than that, or lacks
 * its `.sha256` or `.manifest.json`, so a schedule that stopped is noticed. Lists only (s3:ListBucket on the
 * prefix): it never reads a backup.
 */
export async function backupCheckJob(
  { bucket, prefix, filter, maxDays }: BackupCheckInputs,
  { s3 }: BackupClients,
  reporter: Reporter,
  now: Date = new Date(),
): Promise<BackupCheckResult> {
  const keys = new Set<string>();
  const all = await listBackups(s3, bucket, prefix, filter, keys);
  const newest = all[0];
  if (!newest)
    throw new OpsError(
      `no backups under s3://${bucket}/${prefix}/: the backup schedule has never run or writes elsewhere`,
    );
  const ageHours = (now.getTime() - newest.name.time.getTime()) / 3600_000;
  const missing = [SIDECAR_SUFFIX, MANIFEST_SUFFIX].filter((s) => !keys.has(newest.key + s));
  const result = { latestKey: newest.key, ageHours: Math.floor(ageHours) };
  reporter.summary({
    title: `Newest backup in s3://${bucket}/${prefix}/`,
    table: [
      ['Key', 'Created (UTC)', 'Age', 'Checksum', 'Manifest'],
      [
        newest.key,
        isoSeconds(newest.name.time),
        `${(ageHours / 24).toFixed(1)} days`,
        keys.has(newest.key + SIDECAR_SUFFIX) ? 'yes' : 'MISSING',
        keys.has(newest.key + MANIFEST_SUFFIX) ? 'yes' : 'MISSING',
      ],
    ],
  });
  if (ageHours > maxDays * 24) {
    throw failedWith(
      new OpsError(
        `the newest backup ${newest.key} is ${(ageHours / 24).toFixed(1)} days old (more than ${maxDays}): is the backup workflow still running?`,
      ),
      result,
    );
  }
  if (missing.length)
    throw failedWith(
      new OpsError(
        `the newest backup ${newest.key} has no ${missing.join(' and no ')} next to it: its run did not finish`,
      ),
      result,
    );
  reporter.info(`newest backup ${newest.key}: ${(ageHours / 24).toFixed(1)} days old, with its checksum and manifest`);
  return result;
}

/** `backup check`: the newest backup and its age in whole hours (also when it is too old or incomplete). */
export interface BackupCheckResult {
  latestKey: string;
  ageHours: number;
}
