import { command, type Outputs } from '../core/command.js';
import { BACKUP_RUN_OUTPUTS, backupRunJob } from './backup.js';
import { backupCheckJob, parseBackupCheckInputs, type BackupCheckResult } from './check.js';
import { backupClients } from './clients.js';
import { backupDownloadJob, parseBackupDownloadInputs } from './download.js';
import { backupDrillJob, DRILL_OUTPUTS, parseBackupDrillInputs, type BackupDrillResult } from './drill.js';
import { parseBackupRunInputs, parseBackupSelectionInputs } from './inputs.js';
import { backupListJob, parseBackupListInputs, reportBackupList, type BackupListResult } from './list.js';
import { backupPruneJob, parseBackupPruneInputs, reportBackupPrune, type BackupPruneResult } from './prune.js';
import { backupRestoreJob, parseBackupRestoreInputs } from './restore.js';
import { backupTestJob, parseBackupTestInputs } from './selftest.js';
import { backupVerifyJob, reportBackupVerify } from './verify.js';

const clients = () => backupClients();

/** `key`: the backup a command read. */
const KEY_OUTPUT: Outputs<{ key: string }> = { key: (r) => r.key };

/** `backup download`'s outputs; none when the backup went to stdout (nothing may follow it there). */
const DOWNLOAD_OUTPUTS: Outputs<{ key: string; path: string; sha256: string }> = {
  key: (r) => (r.path === '-' ? undefined : r.key),
  path: (r) => (r.path === '-' ? undefined : r.path),
  sha256: (r) => (r.path === '-' ? undefined : r.sha256),
};

/** The backup commands (`shisha-ops backup <command>`; `run` is also the db-backup action). */
export const BACKUP_COMMANDS = {
  run: command({ parse: parseBackupRunInputs, clients, run: backupRunJob, outputs: BACKUP_RUN_OUTPUTS }),
  test: command({ parse: parseBackupTestInputs, clients, run: backupTestJob, outputs: BACKUP_RUN_OUTPUTS }),
  list: command({
    parse: parseBackupListInputs,
    clients,
    run: backupListJob,
    outputs: { count: (r) => r.count, 'latest-key': (r) => r.latestKey } satisfies Outputs<BackupListResult>,
    report: reportBackupList,
  }),
  download: command({ parse: parseBackupDownloadInputs, clients, run: backupDownloadJob, outputs: DOWNLOAD_OUTPUTS }),
  restore: command({ parse: parseBackupRestoreInputs, clients, run: backupRestoreJob, outputs: KEY_OUTPUT }),
  drill: command({
    parse: parseBackupDrillInputs,
    clients,
    run: backupDrillJob,
    outputs: { ...KEY_OUTPUT, ...DRILL_OUTPUTS } satisfies Outputs<BackupDrillResult>,
  }),
  check: command({
    parse: parseBackupCheckInputs,
    clients,
    run: backupCheckJob,
    outputs: { 'latest-key': (r) => r.latestKey, 'age-hours': (r) => r.ageHours } satisfies Outputs<BackupCheckResult>,
  }),
  verify: command({
    parse: parseBackupSelectionInputs,
    clients,
    run: backupVerifyJob,
    outputs: { ...KEY_OUTPUT, size: (r) => r.size, sha256: (r) => r.sha256 },
    report: reportBackupVerify,
  }),
  prune: command({
    parse: parseBackupPruneInputs,
    clients,
    run: backupPruneJob,
    outputs: { deleted: (r) => r.deleted } satisfies Outputs<BackupPruneResult>,
    report: reportBackupPrune,
  }),
};
