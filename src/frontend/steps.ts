import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { OpsError, describeError } from '../core/errors.js';
import type { Reporter, Summary } from '../core/reporter.js';
import { blobKey, manifestKey, type Manifest } from './releases.js';
import { deleteKeys, getManifest, type BucketState } from './bucket.js';
import { createInvalidation, waitForInvalidation } from './invalidation.js';
import type { TargetOptions } from './options.js';
import { counts, ordered, type Plan } from './plan.js';
import { prunePlan } from './prune.js';
import type { LocalFile } from './scan.js';
import { humanSize } from '../core/size.js';

export interface Clients {
  s3: S3Client;
  /** Without SDK retries, for streamed uploads (retried by uploadFile with a fresh stream). */
  s3Upload: S3Client;
  cf: Pick<CloudFrontClient, 'send'>;
}

/** Invalidates the paths (retrying while CloudFront has too many in progress) and optionally waits. */
export async function invalidate(c: Clients, opts: TargetOptions, reporter: Reporter, ref: string, paths: string[], live: string): Promise<string> {
  let id: string;
  try {
    id = await createInvalidation(c.cf, opts.distributionId, paths, `${ref}-${Date.now()}`, {
      onRetry: (ms) => reporter.warn(`CloudFront has too many invalidations in progress; retrying in ${Math.round(ms / 1000)}s`),
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
        throw new OpsError(`waiting for invalidation ${id}: ${describeError(err)}; ${live} and the invalidation was created`, { cause: err });
      }
      reporter.info('completed');
    });
  }
  return id;
}

/**
 * Removes what no release within `keep-releases` references (never anything outside the prefix, never a file of
 * the current release). Returns the number of objects deleted.
 */
export async function prune(
  c: Clients,
  opts: TargetOptions & { keepReleases: number; dryRun: boolean },
  reporter: Reporter,
  current: Manifest,
  local: LocalFile[],
  listed: BucketState,
): Promise<number> {
  let deleted = 0;
  let total = 0;
  try {
    // The listing from before this deploy: everything in it predates the new manifest (which sorts last), and
    // what this deploy uploaded belongs to the current release anyway. Saves listing the bucket again.
    const state: BucketState = { ...listed, releases: new Map(listed.releases) };
    if (!state.releases.has(current.id)) state.releases.set(current.id, new Date(8.64e15));
    const ids = [...state.releases.keys()].sort().slice(-opts.keepReleases);
    const manifests = new Map<string, Manifest>();
    for (const id of ids) if (id !== current.id) manifests.set(id, await getManifest(c.s3, opts.bucket, opts.prefix, id));
    const pp = prunePlan(state, manifests, opts.keepReleases, current);
    const mine = new Set(local.map((f) => f.rel));
    const site = pp.site.filter((rel) => !mine.has(rel) && !(rel in current.files));
    total = site.length + pp.blobs.length + pp.releases.length;
    if (!total) return 0;
    await reporter.group(`Pruning ${site.length} files, ${pp.releases.length} releases (keeping ${pp.kept.length})`, async () => {
      const onDeleted = (n: number) => (deleted += n);
      await deleteKeys(c.s3, opts.bucket, site.map((rel) => opts.prefix + rel), onDeleted);
      await deleteKeys(c.s3, opts.bucket, pp.blobs.map((md5) => blobKey(opts.prefix, md5)), onDeleted);
      await deleteKeys(c.s3, opts.bucket, pp.releases.map((id) => manifestKey(opts.prefix, id)), onDeleted);
      for (const rel of site.slice(0, 20)) reporter.info(`deleted ${opts.prefix}${rel}`);
      if (site.length > 20) reporter.info(`… and ${site.length - 20} more`);
    });
  } catch (err) {
    throw new OpsError(`pruning old releases failed after deleting ${deleted} of ${total || '?'} objects: ${describeError(err)}; release ${current.id} is live and complete`, {
      cause: err,
    });
  }
  return deleted;
}

const MAX_ROWS = 50;

/** The plan as a step-summary table: one row per file that changes. */
export function planSummary(opts: TargetOptions, plan: Plan, id: string, previous: string | undefined, paths: string[], nothingToDo: boolean): Summary {
  const c = counts(plan);
  const rows = ordered(plan.items).map((i) => [i.file.rel, i.action === 'headers' ? 'headers (copy)' : i.action === 'new' ? 'upload (new)' : 'upload (changed)', humanSize(i.file.size), i.file.cacheControl]);
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
