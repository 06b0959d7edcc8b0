import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { s3Client } from '../core/aws.js';
import { describeError, InputError, OpsError } from '../core/errors.js';
import { getBoolean, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { bootstrapSupabasePlatform } from './bootstrap.js';
import { pgEnv, urlWithoutPassword } from './database-url.js';
import { mb } from './dump-upload.js';
import { getDatabaseUrl } from './inputs.js';
import { selectBackup } from './list.js';
import { readBackupMeta } from './metadata.js';
import { findPsql } from './pg-tools.js';
import { hashingTap, openBackup } from './verify.js';

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

const STDERR_KEEP = 64 * 1024;

/**
 * `backup restore --key K --target-url URL [--yes]`: streams the backup through a sha256 check and gunzip into
 * `psql -v ON_ERROR_STOP=1 --single-transaction` on the explicitly named target. psql only sees the end of its
 * input once the checksum matched; on a mismatch or any error psql is killed first, so the transaction rolls back.
 */
export async function restoreJob(inputs: InputSource, reporter: Reporter, confirm: Confirm = ttyConfirm): Promise<{ key: string }> {
  const target = getDatabaseUrl(inputs, reporter, 'target-url');
  const yes = getBoolean(inputs, 'yes', false);
  const s3 = s3Client();
  const { bucket, key } = await selectBackup(inputs, s3);
  const where = `${target.dbname} on ${target.host}:${target.port}`;

  if (!yes) {
    const answer = await confirm(`Restore s3://${bucket}/${key} into ${where}? Its statements run in that database. Type the database name (${target.dbname}) to confirm: `);
    if (answer === undefined) throw new InputError('yes', `restoring writes into ${where}; there is no terminal to confirm on, so pass --yes`);
    if (answer.trim() !== target.dbname) throw new InputError('yes', 'not confirmed (the database name typed did not match); nothing was restored');
  }

  if (getBoolean(inputs, 'bootstrap', false)) await bootstrapSupabasePlatform(target, reporter);
  const { meta, size } = await readBackupMeta(s3, bucket, key);
  if (!meta.sha256) reporter.warn(`s3://${bucket}/${key} has no .sha256 checksum file next to it: restoring without a checksum check`);
  const psql = findPsql();
  reporter.info(`restoring s3://${bucket}/${key} (${mb(size)}) into ${where} with ${psql}`);
  const child = spawn(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '--dbname', urlWithoutPassword(target)], {
    env: pgEnv(target),
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_KEEP);
  });
  child.stdin.on('error', () => undefined); // EPIPE when psql stops early: its exit code and stderr say why
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });

  const h = hashingTap();
  let aborted = false;
  const stopPsql = () => {
    if (child.exitCode === null && child.signalCode === null) {
      aborted = true;
      child.kill('SIGKILL');
    }
  };
  // Feeds psql; ends its input only after everything upstream (including the checksum check) succeeded.
  const feed = new Writable({
    write(chunk: Buffer, _e, cb) {
      if (child.stdin.destroyed) return cb(new Error('psql stopped reading'));
      if (child.stdin.write(chunk)) cb();
      else child.stdin.once('drain', () => cb());
    },
    final(cb) {
      const got = h.digest();
      if (meta.sha256 && got !== meta.sha256) return cb(new OpsError(`sha256 is ${got}, the backup recorded ${meta.sha256}`));
      child.stdin.end(cb);
    },
    destroy(err, cb) {
      if (err) stopPsql();
      cb(err);
    },
  });
  // psql stopping early (ON_ERROR_STOP) must fail the stream, or a write would wait forever for 'drain'.
  void exited.then(() => {
    if (!feed.writableFinished && !feed.destroyed) feed.destroy(new Error('psql exited before the end of the backup'));
  });
  const body = await openBackup(s3, bucket, key);
  let streamErr: unknown;
  try {
    await pipeline(body, h.tap, createGunzip(), feed);
  } catch (err) {
    streamErr = err;
    stopPsql();
  }
  const exit = await exited;
  const lines = reporter.redact(stderr).trim().split('\n').filter((l) => l.trim());
  if (exit.code !== 0 && !aborted) {
    if (lines.length) reporter.error(`psql stderr:\n${lines.slice(-30).join('\n')}`);
    const last = lines.filter((l) => /error|fatal/i.test(l)).pop() ?? lines[lines.length - 1] ?? '';
    throw new OpsError(reporter.redact(`psql restore into ${where} failed (exit ${exit.code ?? exit.signal}): ${last.trim()}; the transaction was rolled back`));
  }
  if (streamErr || exit.code !== 0) {
    throw new OpsError(reporter.redact(`restore of s3://${bucket}/${key} stopped: ${describeError(streamErr)}; psql was stopped before commit, nothing was restored`), {
      cause: streamErr,
    });
  }
  for (const l of lines) reporter.warn(`psql: ${l}`);
  reporter.info(`restored s3://${bucket}/${key} into ${where}`);
  reporter.output('key', key);
  reporter.summary({ title: 'Database restored', table: [['Backup', 'Target', 'sha256'], [key, where, meta.sha256 ?? 'not recorded']] });
  return { key };
}
