import { createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashingTap } from '../core/hash.js';
import { describeError, InputError, OpsError } from '../core/errors.js';
import { getBoolean, getString, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { humanSize } from '../core/size.js';
import type { BackupClients } from './clients.js';
import { BACKUP_DEFAULTS } from './defaults.js';
import { parseBackupSelectionInputs, type BackupSelectionInputs } from './inputs.js';
import { selectBackup } from './list.js';
import { readBackupMeta } from './metadata.js';
import { openBackup } from './verify.js';

export interface BackupDownloadInputs extends BackupSelectionInputs {
  /** A file, a directory, `-` for stdout; empty: the object's file name. */
  output: string;
  force: boolean;
}

export function parseBackupDownloadInputs(inputs: InputSource): BackupDownloadInputs {
  const selection = parseBackupSelectionInputs(inputs);
  return {
    ...selection,
    output: getString(inputs, 'output'),
    force: getBoolean(inputs, 'force', BACKUP_DEFAULTS.force),
  };
}

/**
 * `backup download --key K --output F` (newest when --key is omitted; `--output -` writes to stdout, a directory
 * receives the object's file name). The file is
 * written as `F.partial` and renamed only when its sha256 matches the recorded one; a mismatch deletes it. An existing
 * file is never overwritten without `--force`.
 */
export async function backupDownloadJob(
  inputs: BackupDownloadInputs,
  { s3 }: BackupClients,
  reporter: Reporter,
  stdout: Writable = process.stdout,
): Promise<{ key: string; path: string; sha256: string }> {
  const { bucket, key } = await selectBackup(inputs, s3);
  const fileName = key.split('/').pop() ?? 'backup.sql.gz';
  let output = inputs.output || fileName;
  // An existing directory (`--output .`) receives the backup under its own file name.
  if (output !== '-' && existsSync(output) && statSync(output).isDirectory()) output = path.join(output, fileName);
  if (output !== '-' && existsSync(output) && !inputs.force) {
    throw new InputError('output', `${output} already exists: nothing was downloaded (pass --force to overwrite it)`);
  }

  const { meta, size } = await readBackupMeta(s3, bucket, key);
  if (!meta.sha256)
    reporter.warn(`s3://${bucket}/${key} has no .sha256 checksum file next to it: it cannot be checked`);
  const body = await openBackup(s3, bucket, key);
  const h = hashingTap();
  const toStdout = output === '-';
  const partial = `${output}.partial`;
  const sink: Writable = toStdout ? stdout : createWriteStream(partial);
  try {
    await pipeline(body, h.tap, sink, { end: !toStdout });
  } catch (err) {
    if (!toStdout) rmSync(partial, { force: true });
    throw new OpsError(`download of s3://${bucket}/${key} failed: ${describeError(err)}`, { cause: err });
  }
  const sha256 = h.digest();
  if (meta.sha256 && sha256 !== meta.sha256) {
    if (!toStdout) rmSync(partial, { force: true });
    throw new OpsError(
      `download of s3://${bucket}/${key}: sha256 is ${sha256}, the backup recorded ${meta.sha256} (file deleted)`,
    );
  }
  if (!toStdout) renameSync(partial, output);
  // Messages go to stderr when the backup itself goes to stdout.
  const say = toStdout ? (m: string) => reporter.warn(m) : (m: string) => reporter.info(m);
  say(
    `downloaded s3://${bucket}/${key} (${humanSize(size)}) to ${toStdout ? 'stdout' : output}; sha256 ${sha256}${meta.sha256 ? ' matches' : ''}`,
  );
  return { key, path: output, sha256 };
}
