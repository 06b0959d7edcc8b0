import os from 'node:os';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { checkBucketName } from '../core/s3.js';
import { OpsError, describeError } from '../core/errors.js';
import { getString, type InputSource } from '../core/inputs.js';
import type { Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { RELEASES_DIR } from '../frontend/releases.js';

/**
 * The deploy lock: after a rollback, the next push to main would redeploy what was just rolled back. A rollback
 * writes `_releases/LOCK` at the root of the frontend bucket (never served: CloudFront is denied `_releases/`), and
 * both deploys refuse to run while it is there, until `shisha-ops unlock` (or rollback.yml with unlock) clears it.
 */
export const LOCK_KEY = `${RELEASES_DIR}LOCK`;

export interface LockInfo {
  lockedAt: string;
  by: string;
  reason: string;
  /** What was rolled back, e.g. `frontend to 20261124T232735.123Z-1a2b3c4d`. */
  what: string;
  /** The workflow run that locked, when run by GitHub Actions. */
  run?: string;
}

/** Who is acting: the GitHub actor in a workflow, else the local user. */
export function actor(env: Record<string, string | undefined> = process.env): { by: string; run?: string } {
  const run =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return { by: env.GITHUB_ACTOR ? `${env.GITHUB_ACTOR} (GitHub Actions)` : `${user}@${os.hostname()}`, run };
}

export async function readLock(s3: S3Client, bucket: string): Promise<LockInfo | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: LOCK_KEY }));
    const text = await (res.Body as { transformToString(): Promise<string> }).transformToString();
    try {
      return JSON.parse(text) as LockInfo;
    } catch {
      return { lockedAt: res.LastModified?.toISOString() ?? '?', by: '?', reason: 'unreadable lock object', what: '?' };
    }
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw new OpsError(`GetObject s3://${bucket}/${LOCK_KEY} (deploy lock) failed: ${describeError(err)}`, {
      cause: err,
    });
  }
}

export async function writeLock(s3: S3Client, bucket: string, what: string, reason: string): Promise<LockInfo> {
  const info: LockInfo = { lockedAt: new Date().toISOString(), ...actor(), reason: reason || 'rollback', what };
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: LOCK_KEY,
        Body: JSON.stringify(info, null, 1),
        ContentType: 'application/json; charset=utf-8',
        CacheControl: 'no-store',
      }),
    );
  } catch (err) {
    throw new OpsError(
      `PutObject s3://${bucket}/${LOCK_KEY} (deploy lock) failed: ${describeError(err)}; the rollback was made but deploys are NOT locked: the next push to main redeploys what was rolled back`,
      { cause: err },
    );
  }
  return info;
}

export function describeLock(l: LockInfo): string {
  return `locked since ${l.lockedAt} by ${l.by} after a rollback (${l.what}): ${l.reason}${l.run ? ` [${l.run}]` : ''}`;
}

/**
 * Refuses a deploy while the lock is there; the error says how to clear it. `lockBucket` empty: no lock to check.
 * A plan (dry run) only warns.
 */
export async function assertUnlocked(
  lockBucket: string,
  reporter: Reporter,
  opts: { dryRun?: boolean; s3: S3Client },
): Promise<void> {
  if (!lockBucket) return;
  const lock = await readLock(opts.s3, lockBucket);
  if (!lock) return;
  const how = `when the fix is on main, clear it with \`shisha-ops unlock --bucket ${lockBucket}\` or run the rollback workflow with unlock: true`;
  if (opts.dryRun) return reporter.warn(`deploys are ${describeLock(lock)}; ${how}`);
  throw new OpsError(`deploy refused: deploys are ${describeLock(lock)}; ${how}`);
}

/** A bucket-name input (`bucket`, `lock-bucket`); empty when not given and not required. */
export function getLockBucket(src: InputSource, name: string, required = false): string {
  const v = getString(src, name, { required });
  return v && checkBucketName(name, v, 'the frontend bucket, which holds the deploy lock');
}

/** `unlock`: the frontend bucket, which holds the deploy lock. */
export function parseOpsUnlockInputs(src: InputSource): { bucket: string } {
  return { bucket: getLockBucket(src, 'bucket', true) };
}

/** `shisha-ops unlock --bucket <frontend bucket>`: clears the deploy lock (says who set it and why). */
export async function opsUnlockJob(
  { bucket }: { bucket: string },
  { s3 }: { s3: S3Client },
  reporter: Reporter,
): Promise<OpsUnlockResult> {
  const lock = await readLock(s3, bucket);
  if (!lock) {
    reporter.info(`s3://${bucket}/${LOCK_KEY} is not there: deploys are not locked`);
    return { unlocked: false };
  }
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: LOCK_KEY }));
  } catch (err) {
    throw new OpsError(`DeleteObject s3://${bucket}/${LOCK_KEY} failed: ${describeError(err)}; deploys stay locked`, {
      cause: err,
    });
  }
  reporter.info(`deploys unlocked (they were ${describeLock(lock)}); unlocked by ${actor().by}`);
  return { unlocked: true };
}

/** Whether `unlock` removed a lock (false: there was none). */
export interface OpsUnlockResult {
  unlocked: boolean;
}

export const OPS_UNLOCK_OUTPUTS: Outputs<OpsUnlockResult> = { unlocked: (r) => r.unlocked };
