import { OpsError, describeError } from '../core/errors.js';
import type { Reporter, Summary } from '../core/reporter.js';
import { blobKey, manifestKey, type Manifest } from './releases.js';
import { deleteKeys, getManifest, listBucket, type BucketState } from './bucket.js';
import { RUN_LEASE_MS, RUNNING_DIR, readLease, withLock } from './coordination.js';
import { createInvalidation, waitForInvalidation } from './invalidation.js';
import type { TargetOptions } from './options.js';
import { counts, ordered, type Plan } from './plan.js';
import { keptReleases, prunePlan } from './prune.js';
import type { LocalFile } from './scan.js';
import { humanSize } from '../core/size.js';

import type { FrontendClients as Clients } from './clients.js';
export type { Clients };

/** Invalidates the paths (retrying while CloudFront has too many in progress) and optionally waits. */
export async function invalidate(
  c: Clients,
  opts: TargetOptions,
  reporter: Reporter,
  ref: string,
  paths: string[],
  live: string,
): Promise<string> {
  let id: string;
  try {
    id = await createInvalidation(c.cf, opts.distributionId, paths, `${ref}-${Date.now()}`, {
      onRetry: (attempt) =>
        reporter.warn(`CloudFront has too many invalidations in progress (attempt ${attempt}); retrying with backoff`),
    });
  } catch (err) {
    throw new OpsError(
      `CreateInvalidation on ${opts.distributionId} failed: ${describeError(err)}; ${live}, but CloudFront may serve the old HTML until its cache expires: rerun, or invalidate ${paths.join(' ')}`,
      { cause: err },
    );
  }
  reporter.info(`invalidation ${id} created for ${paths.join(' ')}`);
  if (opts.waitForInvalidation) {
    await reporter.group(`Waiting for invalidation ${id}`, async () => {
      try {
        await waitForInvalidation(c.cf, opts.distributionId, id);
      } catch (err) {
        throw new OpsError(
          `waiting for invalidation ${id}: ${describeError(err)}; ${live} and the invalidation was created`,
          { cause: err },
        );
      }
      reporter.info('completed');
    });
  }
  return id;
}

type PruneOptions = TargetOptions & { keepReleases: number; keepDays: number; dryRun: boolean };

/** Keys to delete, in order: site files, rollback blobs, then manifests (so a partial prune leaves manifests whole). */
async function pruneKeys(c: Clients, opts: PruneOptions, state: BucketState, current: Manifest, local: LocalFile[]) {
  const s: BucketState = { ...state, releases: new Map(state.releases) };
  if (!s.releases.has(current.id)) s.releases.set(current.id, new Date(8.64e15));
  // S3's clock (the offset the SDK learnt from its answers): ages are compared with S3's LastModified.
  const age = {
    keepDays: opts.keepDays,
    now: Date.now() + ((c.s3.config as { systemClockOffset?: number }).systemClockOffset ?? 0),
  };
  const ids = keptReleases(s.releases, opts.keepReleases, age);
  // While every release is kept nothing is pruned (prunePlan): the kept manifests are read only when one falls out.
  const reads = s.releases.size > ids.length ? ids.filter((id) => id !== current.id) : [];
  const manifests = new Map(
    await Promise.all(reads.map(async (id) => [id, await getManifest(c.s3, opts.bucket, opts.prefix, id)] as const)),
  );
  const pp = prunePlan(s, manifests, opts.keepReleases, current, age);
  const mine = new Set(local.map((f) => f.rel));
  const site = pp.site.filter((rel) => !mine.has(rel) && !(rel in current.files));
  const keys = [
    ...site.map((rel) => opts.prefix + rel),
    ...pp.blobs.map((md5) => blobKey(opts.prefix, md5)),
    ...pp.releases.map((id) => manifestKey(opts.prefix, id)),
  ];
  return { keys, site, releases: pp.releases.length, kept: pp.kept.length };
}

/**
 * Removes what no release within `keep-releases` nor younger than `keep-days` references (never anything outside the prefix or in another site's
 * folder, never a file of the current release). Safe against other deploys
 * of the same prefix: it holds the lock, lists the bucket afresh and re-reads the kept manifests just before deleting,
 * and deletes nothing while another deploy is in progress (that one prunes when it finishes). Returns the number of
 * objects deleted.
 */
export async function prune(
  c: Clients,
  opts: PruneOptions,
  reporter: Reporter,
  current: Manifest,
  local: LocalFile[],
  listed: BucketState,
  runId?: string,
): Promise<number> {
  let deleted = 0;
  let total = 0;
  try {
    // The listing from before this deploy is enough to know that nothing needs pruning (the common case).
    if (!(await pruneKeys(c, opts, listed, current, local)).keys.length) return 0;
    const res = await withLock(c.s3, opts.bucket, opts.prefix, { wait: false }, async (lock) => {
      const fresh = await listBucket(c.s3, opts.bucket, opts.prefix);
      const others: string[] = [];
      const expired: string[] = [];
      for (const id of fresh.running.keys()) {
        if (id === runId) continue;
        const key = opts.prefix + RUNNING_DIR + id + '.json';
        const lease = await readLease(c.s3, opts.bucket, key, RUN_LEASE_MS);
        if (lease?.live) others.push(lease.owner);
        else if (lease) expired.push(key);
      }
      if (others.length) {
        reporter.info(`another deploy is in progress (${others.join(', ')}): pruning is left to it`);
        return;
      }
      const p = await pruneKeys(c, opts, fresh, current, local);
      total = p.keys.length + expired.length;
      if (!total) return;
      await reporter.group(`Pruning ${p.site.length} files, ${p.releases} releases (keeping ${p.kept})`, async () => {
        await lock.assertHeld(); // the listing above is only settled while the lock is ours
        const complete = await deleteKeys(
          c.s3,
          opts.bucket,
          [...expired, ...p.keys],
          (n) => (deleted += n),
          lock.deadline,
        );
        for (const rel of p.site.slice(0, 20)) reporter.info(`deleted ${opts.prefix}${rel}`);
        if (p.site.length > 20) reporter.info(`… and ${p.site.length - 20} more`);
        if (!complete)
          reporter.info(
            `pruning stopped after ${deleted} of ${total} objects (the lock's time is up); the next deploy prunes the rest`,
          );
      });
    });
    if ('heldBy' in res)
      reporter.info(`another deploy (${res.heldBy}) is publishing or pruning: pruning is left to it`);
  } catch (err) {
    throw new OpsError(
      `pruning old releases failed after deleting ${deleted} of ${total || '?'} objects: ${describeError(err)}; release ${current.id} is live and complete`,
      {
        cause: err,
      },
    );
  }
  return deleted;
}

const MAX_ROWS = 50;

/** The plan as a step-summary table: one row per file that changes. */
export function planSummary(
  opts: TargetOptions,
  plan: Plan,
  id: string,
  previous: string | undefined,
  paths: string[],
  nothingToDo: boolean,
): Summary {
  const c = counts(plan);
  const rows = ordered(plan.items).map((i) => [
    i.file.rel,
    i.action === 'headers' ? 'headers (copy)' : i.action === 'new' ? 'upload (new)' : 'upload (changed)',
    humanSize(i.file.size),
    i.file.cacheControl,
  ]);
  const table = [['File', 'Action', 'Size', 'Cache-Control'], ...rows.slice(0, MAX_ROWS)];
  if (rows.length > MAX_ROWS) table.push([`… and ${rows.length - MAX_ROWS} more`, '', '', '']);
  return {
    title: `Frontend ${opts.dryRun ? 'plan (dry run)' : 'deploy'}: s3://${opts.bucket}/${opts.prefix}`,
    lines: [
      `release ${id}${nothingToDo ? ' (unchanged)' : ''}${previous ? `, previous ${previous}` : ', first release'}`,
      `${c.new} new, ${c.changed} changed, ${c.headers} header-only (server-side copy), ${c.unchanged} unchanged; ${humanSize(c.bytes)} to upload`,
      `${plan.stale.length} files no longer in the build (kept for open tabs until pruned)`,
      `invalidation: ${paths.length ? paths.join(' ') : 'none'}`,
    ],
    table: rows.length ? table : undefined,
  };
}
