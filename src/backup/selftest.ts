import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InputError, OpsError } from '../core/errors.js';
import type { InputSource } from '../core/inputs.js';
import { recording } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { backupRunJob, type BackupOptions, type BackupResult } from './backup.js';
import type { BackupClients } from './clients.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import { checkScratchDumpArgs } from './args.js';
import { parseBackupRunInputs, type RunInputs } from './inputs.js';
import { findPsql } from './pg-tools.js';
import {
  backupRestoreJob,
  parseBackupRestoreInputs,
  targetName,
  ttyConfirm,
  type BackupRestoreInputs,
  type Confirm,
} from './restore.js';
import { sameDatabase, serverFacts } from './server-identity.js';

const run = promisify(execFile);

/** Exact row counts of every table the user can see (errors, such as no privilege, become the message). */
export async function countRows(
  conn: PgConnection,
  reporter: Reporter,
  psql = findPsql(),
): Promise<Map<string, string>> {
  const env = pgEnv(conn);
  const url = urlWithoutPassword(conn);
  const list = await run(
    psql,
    [
      '-X',
      '-A',
      '-t',
      '-c',
      "SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
      '--dbname',
      url,
    ],
    { env, maxBuffer: 16 * 1024 * 1024 },
  ).catch((err: { stderr?: string }) => {
    throw new OpsError(
      reporter.redact(`psql (listing tables of ${conn.dbname}): ${(err.stderr ?? '').trim().split('\n')[0] ?? ''}`),
    );
  });
  const tables = list.stdout.split('\n').filter(Boolean);
  const out = new Map<string, string>(tables.map((t) => [t, 'not counted']));
  if (!tables.length) return out;
  // One session, one statement per table, no ON_ERROR_STOP: a table we may not read does not hide the others.
  const script = tables.map((t) => `SELECT '${t.replace(/'/g, "''")}', count(*) FROM ${t};`).join('\n');
  const res = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      psql,
      ['-X', '-A', '-t', '-F', '\t', '--dbname', url],
      { env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => (err && !stdout ? reject(err) : resolve(stdout)),
    );
    child.stdin?.end(script);
  });
  for (const line of res.split('\n')) {
    const tab = line.lastIndexOf('\t');
    if (tab > 0) out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}

/** Tables whose counts differ (or that are missing from the restore). Pure, for tests. */
export function compareCounts(source: Map<string, string>, restored: Map<string, string>): string[] {
  const bad: string[] = [];
  for (const [t, n] of source) {
    const m = restored.get(t);
    if (m === undefined) bad.push(`${t} (source ${n}, missing from the restore)`);
    else if (m !== n) bad.push(`${t} (source ${n}, restored ${m})`);
  }
  return bad;
}

export interface BackupTestInputs {
  source: PgConnection;
  target: PgConnection;
  /** The backup, then the restore of it (its key is the backup's, known once the backup is made). */
  run: RunInputs;
  restore: BackupRestoreInputs;
}

/**
 * The backup's inputs (its `database-url` is the source, and no dump argument may be one a scratch restore refuses),
 * then the restore's (its `target-url`, else TARGET_URL, is the scratch target).
 */
export function parseBackupTestInputs(src: InputSource, reporter: Reporter): BackupTestInputs {
  const run = parseBackupRunInputs(src, reporter);
  checkScratchDumpArgs(run.pgDumpArgs);
  const restore = parseBackupRestoreInputs(src, reporter);
  return { source: run.conn, target: restore.target, run, restore };
}

/**
 * `backup test` (make backup-test): a real backup, restored into a scratch database, then the row count of every
 * table compared. The scratch database must be another database than the source, asked of both servers (host
 * names may differ for the same server); it is written to, so it asks unless --yes.
 */
export async function backupTestJob(
  inputs: BackupTestInputs,
  clients: BackupClients,
  reporter: Reporter,
  opts: BackupOptions & { confirm?: Confirm } = {},
): Promise<BackupResult> {
  const { source, target } = inputs;
  const [sf, tf] = await Promise.all([serverFacts(source, reporter), serverFacts(target, reporter)]);
  if (sameDatabase(sf.identity, tf.identity)) {
    throw new InputError(
      'target-url',
      `${targetName(target)} is the database being backed up (same server and database OID): name a scratch database`,
    );
  }
  const res = await backupRunJob(inputs.run, clients, reporter, opts);
  // The backup is stored: whatever fails after it, the outputs name it.
  await recording(res, () => restoreAndCompare(inputs, clients, reporter, opts, res.key));
  return res;
}

/** Restores backup `key` into the scratch target and compares the row count of every table with the source's. */
async function restoreAndCompare(
  inputs: BackupTestInputs,
  clients: BackupClients,
  reporter: Reporter,
  opts: { confirm?: Confirm },
  key: string,
): Promise<void> {
  const { source, target } = inputs;
  const sourceCounts = await countRows(source, reporter);
  await backupRestoreJob({ ...inputs.restore, key }, clients, reporter, opts.confirm ?? ttyConfirm);
  const restoredCounts = await countRows(target, reporter);
  const bad = compareCounts(sourceCounts, restoredCounts);
  reporter.summary({
    title: 'Backup test: row counts, source vs restored',
    table: [
      ['Table', 'Source', 'Restored', ''],
      ...[...sourceCounts].map(([t, n]) => [
        t,
        n,
        restoredCounts.get(t) ?? '-',
        restoredCounts.get(t) === n ? 'ok' : 'DIFFERENT',
      ]),
    ],
  });
  if (bad.length) {
    throw new OpsError(
      `row counts differ for ${bad.length} table(s) (a busy source drifts; pg-dump-args exclusions show here): ${bad.slice(0, 5).join(', ')}`,
    );
  }
  reporter.info(`backup test passed: ${sourceCounts.size} table(s) restored from ${key} with the same row counts`);
}
