import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../core/errors.js';
import { RELEASES_DIR } from './releases.js';
import { sleep } from './retry.js';

/**
 * How deploys that share a prefix (two CLI users, two repositories, a CI run and a laptop) keep each other's files:
 *
 * - Every deploy writes a marker `_releases/running/<run>.json` with a lease before it lists the bucket, renews it
 *   while it runs and deletes it when done. A deploy may rely on any object it listed, so a prune that sees another
 *   live marker deletes nothing (the other deploy prunes when it finishes).
 * - Publishing (HTML and the release manifest) and pruning hold a lock, `_releases/lock.json`, created with `If-None-Match: *` (S3 conditional write: only one
 *   writer wins) and deleted with `If-Match` on its own ETag. A deploy that has written its marker waits while the lock
 *   is held before it lists the bucket. Either the prune's fresh listing sees the marker, or the deploy lists only after
 *   the prune's deletes: with S3's strong read-after-write consistency no third order exists. Under the same lock the
 *   release id is taken after the newest manifest, so the newest manifest always describes the live HTML.
 * - Leases are wall-clock times in the objects, so a crashed holder blocks nothing once its lease is over.
 */
export const RUNNING_DIR = `${RELEASES_DIR}running/`;
export const LOCK = `${RELEASES_DIR}lock.json`;

/** A deploy renews its marker this often; a marker not renewed for RUN_LEASE_MS is a crashed deploy's. */
export const RUN_LEASE_MS = 10 * 60_000;
/** How long a holder may keep the lock; pruning stops starting new batches after half of it. */
export const LOCK_LEASE_MS = 2 * 60_000;

export interface Lease {
  owner: string;
  expiresAt: string;
}

const owner = () => `${os.hostname()} pid ${process.pid}`;

function leaseBody(ms: number): string {
  const lease: Lease = { owner: owner(), expiresAt: new Date(Date.now() + ms).toISOString() };
  return JSON.stringify(lease);
}

/** A lease object's content, or undefined when the object does not exist (404). */
export async function readLease(s3: S3Client, bucket: string, key: string): Promise<(Lease & { etag: string }) | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = (await res.Body?.transformToString()) ?? '';
    let lease: Partial<Lease> = {};
    try {
      lease = JSON.parse(text) as Partial<Lease>;
    } catch {
      /* unreadable: treated as expired */
    }
    return { owner: String(lease.owner ?? 'unknown'), expiresAt: String(lease.expiresAt ?? ''), etag: res.ETag ?? '' };
  } catch (err) {
    if (statusOf(err) === 404 || (err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

export function isLive(lease: Lease, now = Date.now()): boolean {
  const t = Date.parse(lease.expiresAt);
  return Number.isFinite(t) && t > now;
}

const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** This deploy's marker: written before the listing, renewed on a timer, deleted by `end()`. */
export interface RunMarker {
  id: string;
  key: string;
  end(): Promise<void>;
}

export async function startRun(s3: S3Client, bucket: string, prefix: string, onWarn: (m: string) => void): Promise<RunMarker> {
  const id = `${new Date().toISOString().replace(/[-:]/g, '')}-${randomUUID().slice(0, 8)}`;
  const key = `${prefix}${RUNNING_DIR}${id}.json`;
  const put = () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: leaseBody(RUN_LEASE_MS), ContentType: 'application/json', CacheControl: 'no-store' }));
  await put();
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = put().catch((err: unknown) => onWarn(`could not renew the deploy marker ${key}: ${describeError(err)}`));
  }, RUN_LEASE_MS / 4);
  timer.unref();
  return {
    id,
    key,
    async end() {
      clearInterval(timer);
      await renewing; // a renewal in flight must not bring the marker back after the delete
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch((err: unknown) => {
        onWarn(`could not delete the deploy marker ${key} (it expires by itself): ${describeError(err)}`);
      });
    },
  };
}

/** Waits while another process holds the lock (bounded by its lease), so the listing that follows is settled. */
export async function waitForLock(s3: S3Client, bucket: string, prefix: string, onWait: (m: string) => void): Promise<void> {
  let said = false;
  for (;;) {
    const lock = await readLease(s3, bucket, prefix + LOCK);
    if (!lock || !isLive(lock)) return;
    if (!said) onWait(`another deploy (${lock.owner}) is publishing or pruning s3://${bucket}/${prefix}: waiting for it (at most until ${lock.expiresAt})`);
    said = true;
    await sleep(250);
  }
}

/**
 * Runs `fn` holding the lock. When someone else holds a live one: with `wait`, waits for it (up to one lease past its
 * expiry), otherwise returns `{ heldBy }` without running `fn`. A lock whose lease is over is broken (deleted with
 * If-Match on its ETag, so only that lock goes).
 */
export async function withLock<T>(
  s3: S3Client,
  bucket: string,
  prefix: string,
  opts: { wait: boolean; onWait?: (m: string) => void },
  fn: (deadline: number) => Promise<T>,
): Promise<{ value: T } | { heldBy: string }> {
  const key = prefix + LOCK;
  const giveUp = Date.now() + 2 * LOCK_LEASE_MS;
  let etag: string | undefined;
  let said = false;
  while (etag === undefined) {
    try {
      const res = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: leaseBody(LOCK_LEASE_MS), IfNoneMatch: '*', ContentType: 'application/json', CacheControl: 'no-store' }));
      etag = res.ETag ?? '';
    } catch (err) {
      const status = statusOf(err);
      if (status !== 412 && status !== 409) throw err;
      const held = await readLease(s3, bucket, key);
      if (held && !isLive(held)) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: held.etag })).catch(() => undefined);
      else if (held && (!opts.wait || Date.now() > giveUp)) return { heldBy: held.owner };
      else if (held) {
        if (!said) opts.onWait?.(`waiting for another deploy (${held.owner}) to finish publishing or pruning s3://${bucket}/${prefix}`);
        said = true;
        await sleep(200 + Math.random() * 300);
      }
    }
  }
  const started = Date.now();
  try {
    return { value: await fn(started + LOCK_LEASE_MS / 2) };
  } finally {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) })).catch(() => undefined);
  }
}
