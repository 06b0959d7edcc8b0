import type { Command } from 'commander';
import { BACKUP_COMMANDS } from '../backup/commands.js';
import { BACKUP_DEFAULTS as D } from '../backup/defaults.js';
import { byDefault, jobCommand, required } from './common.js';

/** Where backups live: every sub-command takes these (defaults live in src/backup/inputs.ts). */
function location(cmd: Command): Command {
  return cmd
    .requiredOption('--bucket <name>', required('S3 bucket holding the backups'))
    .option('--prefix <prefix>', byDefault('key prefix of the backups', D.prefix));
}

function filters(cmd: Command): Command {
  return cmd
    .option('--project <name>', byDefault('only backups of this project', 'any'))
    .option('--environment <name>', byDefault('only backups of this environment', 'any'));
}

/** Sub-commands of `shisha-ops backup`. */
export function registerBackup(cmd: Command): void {
  const runOptions = (c: Command) =>
    location(c)
      .option(
        '--database-url <url>',
        required('postgresql://user:password@host:5432/db', 'secret; or set DATABASE_URL'),
      )
      .requiredOption('--project <name>', required('project part of the object name (lowercase letters, digits, -)'))
      .option('--environment <name>', byDefault('environment part of the object name', D.environment))
      .option('--compression-level <n>', byDefault('gzip level 1-9', D['compression-level']))
      .option(
        '--pg-dump-args <args>',
        byDefault("extra pg_dump options, e.g. '--exclude-table-data=audit_log'", 'none'),
      )
      .option('--no-verify', 'do not re-read and check the stored object')
      .option('--flavor <flavor>', byDefault('auto (detect Supabase), supabase or postgres', D.flavor))
      .option(
        '--drill-url <url>',
        byDefault(
          'an empty scratch database: after the backup, restore it there and compare every table with the manifest',
          'no drill',
          'secret; or set DRILL_URL',
        ),
      );
  jobCommand(
    cmd,
    'run',
    'Dump the database (pg_dump, plain SQL) through gzip into an S3 multipart upload, then verify it',
    runOptions,
    (inputs, reporter) =>
      BACKUP_COMMANDS.run(withEnv(withEnvUrl(inputs, 'database-url'), 'drill-url', 'DRILL_URL'), reporter),
  );
  jobCommand(
    cmd,
    'test',
    'Back up, restore into a scratch database (--target-url) and compare the row count of every table',
    (c) =>
      runOptions(c)
        .option('--target-url <url>', required('scratch database to restore into', 'secret; or set TARGET_URL'))
        .option('--yes', 'do not ask before restoring'),
    (inputs, reporter) => BACKUP_COMMANDS.test(withEnvUrl(inputs, 'database-url'), reporter),
  );
  jobCommand(
    cmd,
    'list',
    'List backups, newest first across months',
    (c) => filters(location(c)).option('--limit <n>', byDefault('rows to show, 0 for all', D.limit)),
    BACKUP_COMMANDS.list,
  );
  jobCommand(
    cmd,
    'download',
    'Download a backup and check its sha256 (newest when --key is omitted)',
    (c) =>
      filters(location(c))
        .option('--key <key>', byDefault('object key', 'the newest backup'))
        .option('--output <file>', byDefault("where to write it, '-' for stdout", "the object's file name"))
        .option('--force', 'overwrite the output file if it exists'),
    BACKUP_COMMANDS.download,
  );
  jobCommand(
    cmd,
    'restore',
    'Restore a backup into an explicitly named database: gunzip | psql -v ON_ERROR_STOP=1, one transaction',
    (c) =>
      filters(location(c))
        .option('--key <key>', byDefault('object key', 'the newest backup'))
        .option(
          '--target-url <url>',
          required('postgresql://... of the database to restore into', 'secret; or set TARGET_URL'),
        )
        .option(
          '--bootstrap',
          "first create Supabase's platform roles and schemas (plain PostgreSQL target, superuser)",
        )
        .option('--yes', 'do not ask for confirmation (required without a terminal)')
        .option('--allow-unverified', 'restore a backup that has neither a .sha256 nor a .manifest.json'),
    BACKUP_COMMANDS.restore,
  );
  jobCommand(
    cmd,
    'drill',
    'Restore drill: restore a backup into an empty scratch database and compare every table with its manifest (exit 1 on a difference)',
    (c) =>
      filters(location(c))
        .option('--key <key>', byDefault('object key', 'the newest backup'))
        .option('--target-url <url>', required('an empty scratch database', 'secret; or set TARGET_URL'))
        .option(
          '--bootstrap',
          "first create Supabase's platform roles and schemas (plain PostgreSQL target, superuser)",
        ),
    BACKUP_COMMANDS.drill,
  );
  jobCommand(
    cmd,
    'check',
    'Fail when the newest backup is older than --max-age-days or lacks its .sha256 or .manifest.json',
    (c) =>
      filters(location(c)).option(
        '--max-age-days <n>',
        required('largest acceptable age of the newest backup in days, e.g. 8'),
      ),
    BACKUP_COMMANDS.check,
  );
  jobCommand(
    cmd,
    'verify',
    'Check a stored backup: size, encryption, sha256 of the whole object, complete dump, tables against the manifest',
    (c) => filters(location(c)).option('--key <key>', byDefault('object key', 'the newest backup')),
    BACKUP_COMMANDS.verify,
  );
  jobCommand(
    cmd,
    'prune',
    'Delete backups older than N days under the prefix (for buckets without a lifecycle rule)',
    (c) =>
      filters(location(c))
        .option('--older-than-days <n>', required('age in days, by the time in the name'))
        .option('--keep <n>', byDefault('always keep this many newest backups', D.keep))
        .option('--dry-run', 'show what would be deleted; delete nothing'),
    BACKUP_COMMANDS.prune,
  );
}

/** The URL may come from the environment instead of a flag (keeps it out of shell history and `ps`). */
function withEnvUrl(inputs: (name: string) => string | undefined, name: string): (name: string) => string | undefined {
  return withEnv(inputs, name, 'DATABASE_URL');
}

function withEnv(
  inputs: (name: string) => string | undefined,
  name: string,
  variable: string,
): (name: string) => string | undefined {
  return (n) => (n === name ? inputs(n) || process.env[variable] : inputs(n));
}
