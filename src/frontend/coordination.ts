import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { OpsError, describeError } from '../core/errors.js';
import { onS3Date } from '../core/s3.js';
import { RELEASES_DIR } from './releases.js';
import { setTimeout as sleep } from 'node:timers/promises';

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
 * - A lease is judged by S3's clock, never the local one: an object is live until its LastModified plus the lease it
 *   claims (capped at the lease its kind may have), compared with the Date of S3's response that read it. A machine
 *   whose clock runs fast or slow therefore neither breaks a live lease nor honours a dead one, and an object claiming
 *   a lease of years blocks nothing for longer than the cap.
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
  /** The lease's length; absent in objects written before it existed (then `expiresAt` minus LastModified). */
  leaseMs?: number;
}

/** What readLease found: the owner and whether the lease is live by S3's clock. */
export interface LeaseState {
  owner: string;
  etag: string;
  live: boolean;
  /** When the lease ends, by S3's clock. */
  endsAt: string;
}

const owner = () => `${os.hostname()} pid ${process.pid}`;

function leaseBody(ms: number): string {
  const lease: Lease = { owner: owner(), expiresAt: new Date(Date.now() + ms).toISOString(), leaseMs: ms };
  return JSON.stringify(lease);
}

/**
 * Whether a lease is live at `s3Now` (S3's clock): it runs from the object's LastModified for the lease it claims,
 * capped at `maxMs`. Unreadable or non-positive leases are over.
 */
export function leaseEnd(lease: Partial<Lease>, lastModified: number, maxMs: number): number {
  const claimed =
    typeof lease.leaseMs === 'number' ? lease.leaseMs : Date.parse(String(lease.expiresAt)) - lastModified;
  return Number.isFinite(claimed) && claimed > 0 ? lastModified + Math.min(claimed, maxMs) : lastModified;
}

/** The Date header of S3's response to `command` (S3's clock), captured as the response arrives. */
function s3Clock(command: GetObjectCommand): () => number | undefined {
  let date: number | undefined;
  onS3Date(command, (ms) => (date = ms));
  return () => date;
}

/** A lease object's state by S3's clock, or undefined when the object does not exist (404). */
export async function readLease(
  s3: S3Client,
  bucket: string,
  key: string,
  maxMs: number,
): Promise<LeaseState | undefined> {
  try {
    const command = new GetObjectCommand({ Bucket: bucket, Key: key });
    const s3Now = s3Clock(command);
    const res = await s3.send(command);
    const text = (await res.Body?.transformToString()) ?? '';
    let lease: Partial<Lease> = {};
    try {
      lease = JSON.parse(text) as Partial<Lease>;
    } catch {
      /* unreadable: treated as expired */
    }
    const modified = res.LastModified?.getTime() ?? 0;
    const end = leaseEnd(lease, modified, maxMs);
    // S3's Date has whole seconds: the lease counts as live through the second it ends in.
    const now = s3Now() ?? Date.now();
    return {
      owner: String(lease.owner ?? 'unknown').slice(0, 200),
      etag: res.ETag ?? '',
      live: end > now - 1000 && end > modified,
      endsAt: new Date(end).toISOString(),
    };
  } catch (err) {
    if (statusOf(err) === 404 || (err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** This deploy's marker: written before the listing, renewed on a timer, deleted by `end()`. */
export interface RunMarker {
  id: string;
  key: string;
  end(): Promise<void>;
}

export async function startRun(
  s3: S3Client,
  bucket: string,
  prefix: string,
  onWarn: (m: string) => void,
): Promise<RunMarker> {
  const id = `${new Date().toISOString().replace(/[-:]/g, '')}-${randomUUID().slice(0, 8)}`;
  const key = `${prefix}${RUNNING_DIR}${id}.json`;
  const put = () =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: leaseBody(RUN_LEASE_MS),
        ContentType: 'application/json',
        CacheControl: 'no-store',
      }),
    );
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
export async function waitForLock(
  s3: S3Client,
  bucket: string,
  prefix: string,
  onWait: (m: string) => void,
): Promise<void> {
  const giveUp = Date.now() + 2 * LOCK_LEASE_MS; // a duration, so the local clock's offset does not matter
  let said = false;
  for (;;) {
    const lock = await readLease(s3, bucket, prefix + LOCK, LOCK_LEASE_MS);
    if (!lock || !lock.live) return;
    if (Date.now() > giveUp)
      throw new OpsError(
        `s3://${bucket}/${prefix}${LOCK} has been held by ${lock.owner} for more than ${(2 * LOCK_LEASE_MS) / 60000} min: nothing was changed; remove it if no deploy is running`,
      );
    if (!said)
      onWait(
        `another deploy (${lock.owner}) is publishing or pruning s3://${bucket}/${prefix}: waiting for it (at most until ${lock.endsAt})`,
      );
    said = true;
    await sleep(250);
  }
}

/** What `fn` gets while it holds the lock. */
export interface HeldLock {
  /** Pruning stops starting new batches after this (local clock: a duration from taking the lock). */
  deadline: number;
  /** Throws unless the lock is still this process's (checked on S3): call it before a write that must not race. */
  assertHeld(): Promise<void>;
}

/**
 * Runs `fn` holding the lock, renewing its lease (a conditional overwrite, If-Match on its own ETag) every quarter
 * lease while `fn` runs. When someone else holds a live one: with `wait`, waits for it (up to one lease past its
 * expiry), otherwise returns `{ heldBy }` without running `fn`. A lock whose lease is over is broken (deleted with
 * If-Match on its ETag, so only that lock goes).
 */
export async function withLock<T>(
  s3: S3Client,
  bucket: string,
  prefix: string,
  opts: { wait: boolean; onWait?: (m: string) => void; leaseMs?: number },
  fn: (lock: HeldLock) => Promise<T>,
): Promise<{ value: T } | { heldBy: string }> {
  const key = prefix + LOCK;
  const leaseMs = Math.min(opts.leaseMs ?? LOCK_LEASE_MS, LOCK_LEASE_MS);
  const giveUp = Date.now() + 2 * LOCK_LEASE_MS;
  const write = (condition: { IfNoneMatch: string } | { IfMatch: string }) =>
    s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: leaseBody(leaseMs),
        ...condition,
        ContentType: 'application/json',
        CacheControl: 'no-store',
      }),
    );
  let etag: string | undefined;
  let said = false;
  while (etag === undefined) {
    try {
      etag = (await write({ IfNoneMatch: '*' })).ETag ?? '';
    } catch (err) {
      const status = statusOf(err);
      if (status !== 412 && status !== 409) throw err;
      const held = await readLease(s3, bucket, key, LOCK_LEASE_MS);
      if (held && !held.live)
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: held.etag })).catch(() => undefined);
      else if (held && (!opts.wait || Date.now() > giveUp)) return { heldBy: held.owner };
      else if (held) {
        if (!said)
          opts.onWait?.(
            `waiting for another deploy (${held.owner}) to finish publishing or pruning s3://${bucket}/${prefix}`,
          );
        said = true;
        await sleep(200 + Math.random() * 300);
      }
    }
  }
  let lost: string | undefined;
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (lost) return;
    renewing = write({ IfMatch: etag as string }).then(
      (res) => (etag = res.ETag ?? etag),
      (err: unknown) => (lost = `could not renew the lock s3://${bucket}/${key}: ${describeError(err)}`),
    );
  }, leaseMs / 4);
  timer.unref();
  const lock: HeldLock = {
    deadline: Date.now() + leaseMs / 2,
    async assertHeld() {
      await renewing;
      const now = await readLease(s3, bucket, key, LOCK_LEASE_MS);
      if (lost || !now || now.etag !== etag) {
        lost ??= `the lock s3://${bucket}/${key} was taken by ${now?.owner ?? 'nobody (deleted)'} meanwhile`;
        throw new OpsError(lost);
      }
    },
  };
  try {
    return { value: await fn(lock) };
  } finally {
    clearInterval(timer);
    await renewing;
    await s3
      .send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) }))
      .catch(() => undefined);
  }
}
