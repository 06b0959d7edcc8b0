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
import { backupVerifyJob, reportBackupVerify, type VerifyResult } from './verify.js';

const clients = () => backupClients();

/** `key`: the backup a command read. */
const KEY_OUTPUT: Outputs<{ key: string }> = { key: (r) => r.key };

/** `backup download`'s outputs; none when the backup went to stdout (nothing may follow it there). */
const DOWNLOAD_OUTPUTS: Outputs<{ key: string; path: string; sha256: string }> = {
  key: (r) => (r.path === '-' ? undefined : r.key),
  path: (r) => (r.path === '-' ? undefined : r.path),
  sha256: (r) => (r.path === '-' ? undefined : r.sha256),
};

const LIST_OUTPUTS: Outputs<BackupListResult> = { count: (r) => r.count, 'latest-key': (r) => r.latestKey };
const CHECK_OUTPUTS: Outputs<BackupCheckResult> = { 'latest-key': (r) => r.latestKey, 'age-hours': (r) => r.ageHours };
const DRILL_JOB_OUTPUTS: Outputs<BackupDrillResult> = { ...KEY_OUTPUT, ...DRILL_OUTPUTS };
const VERIFY_OUTPUTS: Outputs<VerifyResult> = { ...KEY_OUTPUT, size: (r) => r.size, sha256: (r) => r.sha256 };
const PRUNE_OUTPUTS: Outputs<BackupPruneResult> = { deleted: (r) => r.deleted };

/** The backup commands (`shisha-ops backup <command>`; `run` is also the db-backup action). */
export const BACKUP_COMMANDS = {
  run: command({ parse: parseBackupRunInputs, clients, run: backupRunJob, outputs: BACKUP_RUN_OUTPUTS }),
  test: command({ parse: parseBackupTestInputs, clients, run: backupTestJob, outputs: BACKUP_RUN_OUTPUTS }),
  list: command({
    parse: parseBackupListInputs,
    clients,
    run: backupListJob,
    outputs: LIST_OUTPUTS,
    report: reportBackupList,
  }),
  download: command({ parse: parseBackupDownloadInputs, clients, run: backupDownloadJob, outputs: DOWNLOAD_OUTPUTS }),
  restore: command({ parse: parseBackupRestoreInputs, clients, run: backupRestoreJob, outputs: KEY_OUTPUT }),
  drill: command({ parse: parseBackupDrillInputs, clients, run: backupDrillJob, outputs: DRILL_JOB_OUTPUTS }),
  check: command({ parse: parseBackupCheckInputs, clients, run: backupCheckJob, outputs: CHECK_OUTPUTS }),
  verify: command({
    parse: parseBackupSelectionInputs,
    clients,
    run: backupVerifyJob,
    outputs: VERIFY_OUTPUTS,
    report: reportBackupVerify,
  }),
  prune: command({
    parse: parseBackupPruneInputs,
    clients,
    run: backupPruneJob,
    outputs: PRUNE_OUTPUTS,
    report: reportBackupPrune,
  }),
};
