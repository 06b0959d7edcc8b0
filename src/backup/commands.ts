import { command } from '../core/command.js';
import { backupRunJob } from './backup.js';
import { backupCheckJob, parseBackupCheckInputs } from './check.js';
import { backupClients } from './clients.js';
import { backupDownloadJob, parseBackupDownloadInputs } from './download.js';
import { backupDrillJob, parseBackupDrillInputs } from './drill.js';
import { parseBackupRunInputs, parseBackupSelectionInputs } from './inputs.js';
import { backupListJob, parseBackupListInputs } from './list.js';
import { backupPruneJob, parseBackupPruneInputs } from './prune.js';
import { backupRestoreJob, parseBackupRestoreInputs } from './restore.js';
import { backupTestJob, parseBackupTestInputs } from './selftest.js';
import { backupVerifyJob } from './verify.js';

const clients = () => backupClients();

/** The backup commands (`shisha-ops backup <command>`; `run` is also the db-backup action). */
export const BACKUP_COMMANDS = {
  run: command({ parse: parseBackupRunInputs, clients, run: backupRunJob }),
  test: command({ parse: parseBackupTestInputs, clients, run: backupTestJob }),
  list: command({ parse: parseBackupListInputs, clients, run: backupListJob }),
  download: command({ parse: parseBackupDownloadInputs, clients, run: backupDownloadJob }),
  restore: command({ parse: parseBackupRestoreInputs, clients, run: backupRestoreJob }),
  drill: command({ parse: parseBackupDrillInputs, clients, run: backupDrillJob }),
  check: command({ parse: parseBackupCheckInputs, clients, run: backupCheckJob }),
  verify: command({ parse: parseBackupSelectionInputs, clients, run: backupVerifyJob }),
  prune: command({ parse: parseBackupPruneInputs, clients, run: backupPruneJob }),
};
