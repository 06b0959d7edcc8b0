import { createInterface } from 'node:readline/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { hashingTap } from '../core/hash.js';
import { describeError, InputError, OpsError } from '../core/errors.js';
import { getBoolean, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { bootstrapSupabasePlatform } from './bootstrap.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import { errorLine, mainLine, startTool } from '../core/process.js';
import { humanSize } from '../core/size.js';
import type { BackupClients } from './clients.js';
import { BACKUP_DEFAULTS } from './defaults.js';
import { getDatabaseUrl, parseBackupSelectionInputs, type BackupSelectionInputs } from './inputs.js';
import { selectBackup } from './list.js';
import { compareTables, describeMismatch, readManifest, type BackupManifest } from './manifest.js';
import { readBackupMeta } from './metadata.js';
import { findPsql } from './pg-tools.js';
import { ScanRefusal, SqlScanner } from './sql-scanner.js';
import { openBackup } from './verify.js';

/** Asks the person at the terminal; returns their answer, or undefined when there is no terminal to ask on. */
export type Confirm = (question: string) => Promise<string | undefined>;

export const ttyConfirm: Confirm = async (question) => {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
};

/** `host:port/dbname`: what identifies a restore target (the database alone is `postgres` on every Supabase project). */
export function targetName(c: PgConnection): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  return `${host}:${c.port}/${c.dbname}`;
}

/** The target URL from --target-url, else the TARGET_URL environment variable (keeps it out of `ps` and history). */
export function withTargetUrlFromEnv(inputs: InputSource): InputSource {
  return (n) => (n === 'target-url' ? inputs(n) || process.env.TARGET_URL : inputs(n));
}

export interface RestoreParams {
  s3: S3Client;
  bucket: string;
  key: string;
  target: PgConnection;
  reporter: Reporter;
  /** Restore a backup that has neither a `.sha256` nor a manifest (its completeness rests on its last line only). */
  allowUnverified: boolean;
}

export interface RestoreResult {
  manifest?: BackupManifest;
  sha256?: string;
}

/**
 * Streams a backup into `psql -v ON_ERROR_STOP=1` on the target inside one transaction that we open (`BEGIN`) and
 * commit (`COMMIT`) only after three checks, which all must pass before psql sees the end of its input:
 * - every line psql would read is scanned first (SqlScanner): a meta-command other than our dumps' own stops the
 *   restore at that line, before psql receives it;
 * - the SQL must end where a complete dump ends (our closing line, or pg_dump's for older backups);
 * - the object's sha256 (`.sha256`) and every table's row count and data checksum (`.manifest.json`) must match
 *   what was recorded. With neither recorded, only `allowUnverified` lets it run.
 * On any failure psql is killed before commit, so the transaction rolls back and nothing is restored. Not
 * `--single-transaction`: psql commits that at the end of its input, which is also what it reads when this process
 * dies midway (even inside a COPY); a session that ends without our COMMIT rolls back.
 */
export async function restoreBackup(p: RestoreParams): Promise<RestoreResult> {
  const { s3, bucket, key, target, reporter } = p;
  const where = targetName(target);
  const [{ meta, size }, manifest] = await Promise.all([
    readBackupMeta(s3, bucket, key),
    readManifest(s3, bucket, key),
  ]);
  if (!meta.sha256 && !manifest) {
    if (!p.allowUnverified) {
      throw new InputError(
        'allow-unverified',
        `s3://${bucket}/${key} has neither a .sha256 nor a .manifest.json next to it, so nothing proves it is whole; nothing was restored (pass --allow-unverified to restore it anyway)`,
      );
    }
    reporter.warn(
      `s3://${bucket}/${key} has no checksum and no manifest: restoring it unverified (--allow-unverified)`,
    );
  } else if (!meta.sha256)
    reporter.warn(
      `s3://${bucket}/${key} has no .sha256 checksum file next to it: checking it against its manifest only`,
    );
  const psql = findPsql();
  // The object is opened before psql starts: a failed GetObject leaves no psql waiting on its input.
  const body = await openBackup(s3, bucket, key);
  reporter.info(`restoring s3://${bucket}/${key} (${humanSize(size)}) into ${where} with ${psql}`);
  const child = startTool(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--dbname', urlWithoutPassword(target)], {
    env: pgEnv(target),
    stdin: 'pipe',
    stdout: 'ignore',
    redact: (t) => reporter.redact(t),
  });
  child.stdin.write('BEGIN;\n');

  const h = hashingTap();
  // Scans each line before passing it on: psql never receives a line the scanner refused, nor pg_dump's BEGIN/COMMIT
  // around large-object data (a COMMIT there would end our transaction early).
  let incomplete: string | undefined;
  const guard = new Transform({
    transform(chunk: Buffer, _e, cb) {
      try {
        scanner.push(chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb) {
      try {
        incomplete = scanner.incompleteReason();
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
  const scanner = new SqlScanner({ guard: true, pass: (bytes) => guard.push(bytes) });
  // Killed, not asked to stop: psql must never get to commit what it has read so far.
  const stopPsql = () => child.stop('SIGKILL');
  // Feeds psql; ends its input only after everything upstream and every completeness check succeeded.
  const feed = new Writable({
    write(chunk: Buffer, _e, cb) {
      if (child.stdin.destroyed) return cb(new Error('psql stopped reading'));
      if (child.stdin.write(chunk)) cb();
      else child.stdin.once('drain', () => cb());
    },
    final(cb) {
      const got = h.digest();
      if (meta.sha256 && got !== meta.sha256)
        return cb(new OpsError(`sha256 is ${got}, the backup recorded ${meta.sha256}`));
      if (incomplete) return cb(new OpsError(`the backup is incomplete: ${incomplete}`));
      if (manifest) {
        const rows = compareTables(manifest.tables, scanner.tableData());
        if (rows.some((r) => !r.match))
          return cb(new OpsError(`the backup does not match its manifest: ${describeMismatch(rows)}`));
      }
      child.stdin.end('\nCOMMIT;\n', cb);
    },
    destroy(err, cb) {
      if (err) stopPsql();
      cb(err);
    },
  });
  // psql stopping early (ON_ERROR_STOP) must fail the stream, or a write would wait forever for 'drain'.
  void child.exited.then(() => {
    if (!feed.writableFinished && !feed.destroyed) feed.destroy(new Error('psql exited before the end of the backup'));
  });
  let streamErr: unknown;
  try {
    await pipeline(body, h.tap, createGunzip(), guard, feed);
  } catch (err) {
    streamErr = err;
    stopPsql();
  }
  const exit = await child.exited;
  const lines = child.stderrLines();
  // psql's own error, whenever it wrote one (it may have stopped at an error just as we stopped it).
  const psqlError = errorLine(lines);
  const alsoPsql = psqlError ? ` (psql: ${psqlError})` : '';
  if (exit.code !== 0 && !child.stopped) {
    if (lines.length) reporter.error(`psql stderr:\n${lines.slice(-30).join('\n')}`);
    throw new OpsError(
      reporter.redact(
        `psql restore into ${where} failed (exit ${exit.code ?? exit.signal}): ${mainLine(lines)}; the transaction was rolled back`,
      ),
    );
  }
  if (streamErr instanceof ScanRefusal) {
    throw new OpsError(
      reporter.redact(
        `refused s3://${bucket}/${key} at ${streamErr.message}; psql never received that line and was stopped before commit${alsoPsql}, nothing was restored`,
      ),
    );
  }
  if (streamErr || exit.code !== 0) {
    throw new OpsError(
      reporter.redact(
        `restore of s3://${bucket}/${key} stopped: ${describeError(streamErr)}; psql was stopped before commit${alsoPsql}, nothing was restored`,
      ),
      {
        cause: streamErr,
      },
    );
  }
  for (const l of lines) reporter.warn(`psql: ${l}`);
  reporter.info(`restored s3://${bucket}/${key} into ${where}`);
  return { manifest, sha256: meta.sha256 };
}

export interface BackupRestoreInputs extends BackupSelectionInputs {
  target: PgConnection;
  yes: boolean;
  allowUnverified: boolean;
  bootstrap: boolean;
}

/** `target-url` (else TARGET_URL, registered as a secret first), the backup, and the switches. */
export function parseBackupRestoreInputs(src: InputSource, reporter: Reporter): BackupRestoreInputs {
  const inputs = withTargetUrlFromEnv(src);
  const target = getDatabaseUrl(inputs, reporter, 'target-url');
  const yes = getBoolean(inputs, 'yes', BACKUP_DEFAULTS.yes);
  const allowUnverified = getBoolean(inputs, 'allow-unverified', BACKUP_DEFAULTS['allow-unverified']);
  const selection = parseBackupSelectionInputs(inputs);
  return {
    ...selection,
    target,
    yes,
    allowUnverified,
    bootstrap: getBoolean(inputs, 'bootstrap', BACKUP_DEFAULTS.bootstrap),
  };
}

/**
 * `backup restore --key K --target-url URL [--yes] [--allow-unverified]`: asks first (typing the target's
 * `host:port/dbname`, since the database name alone is `postgres` on every Supabase project), then restoreBackup.
 */
export async function backupRestoreJob(
  inputs: BackupRestoreInputs,
  { s3 }: BackupClients,
  reporter: Reporter,
  confirm: Confirm = ttyConfirm,
): Promise<{ key: string }> {
  const { target, yes, allowUnverified } = inputs;
  const { bucket, key } = await selectBackup(inputs, s3);
  const where = targetName(target);

  if (!yes) {
    const answer = await confirm(
      `Restore s3://${bucket}/${key} into ${where}? Its statements run in that database. Type the target (${where}) to confirm: `,
    );
    if (answer === undefined)
      throw new InputError('yes', `restoring writes into ${where}; there is no terminal to confirm on, so pass --yes`);
    if (answer.trim() !== where)
      throw new InputError('yes', `not confirmed (expected '${where}' to be typed); nothing was restored`);
  }

  if (inputs.bootstrap) await bootstrapSupabasePlatform(target, reporter);
  const res = await restoreBackup({ s3, bucket, key, target, reporter, allowUnverified });
  reporter.summary({
    title: 'Database restored',
    table: [
      ['Backup', 'Target', 'sha256', 'Manifest'],
      [
        key,
        where,
        res.sha256 ?? 'not recorded',
        res.manifest ? `${res.manifest.tables.length} table(s) matched` : 'none',
      ],
    ],
  });
  return { key };
}
