import { InputError, OpsError, describeError } from '../core/errors.js';
import { getString, shown, type InputSource } from '../core/inputs.js';
import type { Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { checkBucket, copyWithHeaders, getManifest, listBucket, putManifest } from './bucket.js';
import { isImmutable } from './cache-rules.js';
import { checkDistribution } from './invalidation.js';
import { invalidationPaths } from './invalidation-paths.js';
import { parseTarget, type TargetOptions } from './options.js';
import { TIERS, knownHeaders, ordered, tierOf, withRecordedContent, type PlanItem } from './plan.js';
import { applyInOrder } from './apply-order.js';
import { blobKey, hashOfId, isReleaseId, releaseId, type Manifest } from './releases.js';
import { LOCK, startRun, withLock, type HeldLock } from './coordination.js';
import { invalidate, type Clients } from './steps.js';

/** The bucket, CloudFront, and the release to make live again (empty: the previous one). */
export interface FrontendReleaseInputs extends TargetOptions {
  releaseId: string;
}

/** The inputs of the release rollback itself (`frontend rollback` adds the deploy lock's, see ops/rollback.ts). */
export function parseFrontendReleaseInputs(inputs: InputSource): FrontendReleaseInputs {
  const opts = parseTarget(inputs);
  const releaseId = getString(inputs, 'release-id');
  if (releaseId && !isReleaseId(releaseId))
    throw new InputError(
      'release-id',
      `'${shown(releaseId)}' is not a release id (e.g. 20261124T232735.123Z-1a2b3c4d; see 'frontend releases')`,
    );
  return { ...opts, releaseId };
}

/**
 * `shisha-ops frontend rollback`: makes an earlier release live again. Its immutable assets are still in the bucket
 * (pruning keeps every file of the last `keep-releases` releases); its HTML and other mutable files are restored
 * by server-side copy from `_releases/blobs/<md5>`. Then a new manifest records the rollback, and the changed
 * paths are invalidated. Everything is checked before the first copy; `onChange` is called just before it.
 */
export async function rollbackFrontend(
  { releaseId: wanted, ...opts }: FrontendReleaseInputs,
  c: Clients,
  reporter: Reporter,
  hooks: { onChange?: () => void } = {},
): Promise<FrontendRollbackResult> {
  await checkBucket(c.s3, opts.bucket);
  const invalidating = opts.invalidate && Boolean(opts.distributionId);
  if (invalidating) await checkDistribution(c.cf, opts.distributionId, (m) => reporter.warn(m));
  if (opts.dryRun) return { releaseId: (await restore(c, opts, reporter, wanted, invalidating)).targetId };
  // Like a deploy (coordination.ts): a marker so no prune deletes what this rollback relies on, and the lock while it
  // lists, checks and restores, so no deploy publishes or prunes in between.
  const marker = await startRun(c.s3, opts.bucket, opts.prefix, (m) => reporter.warn(m));
  let restored: Restored;
  try {
    const held = await withLock(
      c.s3,
      opts.bucket,
      opts.prefix,
      { wait: true, onWait: (m) => reporter.info(m) },
      (lock) => restore(c, opts, reporter, wanted, invalidating, lock, hooks.onChange),
    );
    if ('heldBy' in held)
      throw new OpsError(
        `another deploy (${held.heldBy}) has held s3://${opts.bucket}/${opts.prefix}${LOCK} for too long; nothing was changed`,
      );
    restored = held.value;
  } finally {
    await marker.end();
  }
  const { targetId, applied } = restored;
  if (!applied) return {};
  const { manifest, done, paths } = applied;
  let invalidationId = '';
  if (paths.length)
    invalidationId = await invalidate(
      c,
      opts,
      reporter,
      manifest.id,
      paths,
      `release ${targetId} is restored in the bucket`,
    );
  return { releaseId: manifest.id, restoredFrom: targetId, copied: done, invalidationId, invalidationPaths: paths };
}

/** What a release rollback did (a dry run: only the release it would restore, as `releaseId`). */
export interface FrontendRollbackResult {
  /** The new live release (recorded as a rollback), or on a dry run the release it would restore. */
  releaseId?: string;
  restoredFrom?: string;
  copied?: number;
  invalidationId?: string;
  invalidationPaths?: string[];
}

export const FRONTEND_ROLLBACK_OUTPUTS: Outputs<FrontendRollbackResult> = {
  'release-id': (r) => r.releaseId,
  'restored-from': (r) => r.restoredFrom,
  copied: (r) => r.copied,
  'invalidation-id': (r) => r.invalidationId,
  'invalidation-paths': (r) => r.invalidationPaths?.join(' '),
};

/** The release picked, and (unless a dry run) what restoring it did. */
interface Restored {
  targetId: string;
  applied?: { manifest: Manifest; done: number; paths: string[] };
}

/** Lists, picks the target, checks everything, then (unless a dry run) restores its files and records the rollback. */
async function restore(
  c: Clients,
  opts: TargetOptions,
  reporter: Reporter,
  wanted: string,
  invalidating: boolean,
  lock?: HeldLock,
  onChange?: () => void,
): Promise<Restored> {
  const state = await listBucket(c.s3, opts.bucket, opts.prefix);
  const ids = [...state.releases.keys()].sort();
  const currentId = ids.at(-1);
  if (!currentId)
    throw new OpsError(
      `no release manifests under s3://${opts.bucket}/${opts.prefix}_releases/: nothing to roll back to`,
    );
  const current = await getManifest(c.s3, opts.bucket, opts.prefix, currentId);
  let targetId: string | undefined = wanted || undefined;
  if (targetId) {
    if (!state.releases.has(targetId))
      throw new InputError('release-id', `release '${targetId}' is not in the bucket (kept: ${ids.join(', ')})`);
  } else {
    // The newest earlier release with other content, skipping releases that a rollback already undid.
    const undone = new Set<string>();
    const manifests = new Map<string, Manifest>([[currentId, current]]);
    for (const id of ids)
      if (!manifests.has(id)) manifests.set(id, await getManifest(c.s3, opts.bucket, opts.prefix, id));
    for (const m of manifests.values()) if (m.rollbackOf) undone.add(m.rollbackOf);
    targetId = [...ids]
      .reverse()
      .find((id) => id < currentId && hashOfId(id) !== hashOfId(currentId) && !undone.has(id));
    if (!targetId)
      throw new OpsError(
        `no earlier release with other content than ${currentId} is kept (releases: ${ids.join(', ')})`,
      );
  }
  const target = await getManifest(c.s3, opts.bucket, opts.prefix, targetId);
  // Another site below this prefix (its own _releases/) is never ours to write, whatever a manifest says.
  const foreign = Object.keys(target.files).find((rel) => state.nested.some((n) => rel.startsWith(n)));
  if (foreign) {
    throw new OpsError(
      `cannot roll back to ${targetId}: its file ${JSON.stringify(foreign)} belongs to the site s3://${opts.bucket}/${opts.prefix}${state.nested.find((n) => foreign.startsWith(n))} (it has its own _releases/); nothing was changed`,
    );
  }

  // Objects whose ETag the current or the target manifest recorded hold that content (SSE-KMS: the ETag is no MD5).
  state.site = withRecordedContent(state.site, [current, target]);
  // What must change, and can it be restored? Check all before changing anything.
  const known = knownHeaders(state.site, current);
  const items: PlanItem[] = [];
  const missing: string[] = [];
  for (const [rel, f] of Object.entries(target.files)) {
    const r = state.site.get(rel);
    const h = known.get(rel);
    const same = r?.md5 === f.md5 && h?.cacheControl === f.cacheControl && h?.contentType === f.contentType;
    if (same) continue;
    const file = { ...f, rel, abs: '' };
    const fromBlob = !isImmutable(f.cacheControl) || r?.md5 !== f.md5;
    if (fromBlob && !state.blobs.has(f.md5)) {
      if (r?.md5 !== f.md5) missing.push(rel);
    }
    items.push({ file, action: r?.md5 === f.md5 ? 'headers' : 'changed', tier: tierOf(file) });
  }
  if (missing.length) {
    throw new OpsError(
      `cannot roll back to ${targetId}: ${missing.length} of its files are gone from the bucket and have no stored copy (first: ${missing[0]}); nothing was changed`,
    );
  }
  const paths = invalidating ? invalidationPaths(items) : [];
  reporter.summary({
    title: `Frontend rollback${opts.dryRun ? ' (dry run)' : ''}: s3://${opts.bucket}/${opts.prefix}`,
    lines: [
      `from ${currentId} to ${targetId}: ${items.length} files restored`,
      `invalidation: ${paths.length ? paths.join(' ') : 'none'}`,
    ],
    table: items.length
      ? [
          ['File', 'Restored from'],
          ...ordered(items).map((i) => [i.file.rel, i.action === 'headers' ? 'headers (copy)' : 'stored copy']),
        ]
      : undefined,
  });
  const manifest: Manifest = {
    ...target,
    id: releaseId(target.files, new Date(), currentId),
    createdAt: new Date().toISOString(),
    restoredFrom: targetId,
    rollbackOf: currentId,
  };
  if (opts.dryRun || !lock) return { targetId };

  onChange?.();
  let done = 0;
  const written = new Map<string, string>();
  try {
    for (const tier of TIERS)
      await applyInOrder(items, tier, opts.concurrency, async (i) => {
        const key = opts.prefix + i.file.rel;
        const from = i.action === 'headers' || !state.blobs.has(i.file.md5) ? key : blobKey(opts.prefix, i.file.md5);
        // An in-place copy only of the object listed (a blob's name is its MD5: its bytes are those of the release).
        const ifMatch = from === key ? state.site.get(i.file.rel)?.etag : undefined;
        written.set(i.file.rel, await copyWithHeaders(c.s3, opts.bucket, from, key, i.file, ifMatch));
        done++;
      });
    // The ETags now in the bucket: what the copies answered, the listed one for files left as they were.
    manifest.files = Object.fromEntries(
      Object.entries(target.files).map(([rel, f]) => {
        const { etag: _recorded, ...entry } = f;
        const etag = written.has(rel) ? written.get(rel) : state.site.get(rel)?.etag;
        return [rel, etag ? { ...entry, etag } : entry];
      }),
    );
    await lock.assertHeld();
    await putManifest(c.s3, opts.bucket, opts.prefix, manifest);
  } catch (err) {
    throw new OpsError(
      `rollback to ${targetId} failed after restoring ${done} of ${items.length} files: ${describeError(err)}; rerun the rollback (it restores only what still differs)`,
      { cause: err },
    );
  }
  reporter.info(`release ${targetId} is live again (recorded as ${manifest.id}); restored ${done} files`);
  return { targetId, applied: { manifest, done, paths } };
}

/** `shisha-ops frontend releases`: the bucket (and prefix) only. */
export function parseFrontendReleasesInputs(inputs: InputSource): TargetOptions {
  return parseTarget(inputs, { needsBucketOnly: true });
}

/** `shisha-ops frontend releases`: the kept releases, newest first. */
export async function frontendReleasesJob(opts: TargetOptions, c: Clients): Promise<FrontendReleasesResult> {
  await checkBucket(c.s3, opts.bucket);
  const state = await listBucket(c.s3, opts.bucket, opts.prefix);
  const ids = [...state.releases.keys()].sort().reverse();
  const releases: FrontendReleasesResult['releases'] = [];
  for (const id of ids) releases.push({ id, manifest: await getManifest(c.s3, opts.bucket, opts.prefix, id) });
  return { releases };
}

/** The kept releases, newest first. */
export interface FrontendReleasesResult {
  releases: { id: string; manifest: Manifest }[];
}

/** Outputs: releases (newest first), current. */
export const FRONTEND_RELEASES_OUTPUTS: Outputs<FrontendReleasesResult> = {
  releases: (r) => r.releases?.map((x) => x.id).join(' '),
  current: (r) => r.releases && (r.releases[0]?.id ?? ''),
};

/** `frontend releases`' summary: each release's date, files and bytes, the current one and rollbacks noted. */
export function reportFrontendReleases(r: FrontendReleasesResult, opts: TargetOptions, reporter: Reporter): void {
  const rows = r.releases.map(({ id, manifest: m }, i) => {
    const files = Object.values(m.files);
    const note = [i === 0 ? 'current' : '', m.restoredFrom ? `rollback to ${m.restoredFrom}` : '']
      .filter(Boolean)
      .join(', ');
    return [id, m.createdAt, String(files.length), String(files.reduce((s, f) => s + f.size, 0)), note];
  });
  reporter.summary({
    title: `Releases in s3://${opts.bucket}/${opts.prefix}_releases/`,
    lines: rows.length ? [] : ['no releases yet'],
    table: rows.length ? [['Release', 'Created', 'Files', 'Bytes', 'Note'], ...rows] : undefined,
  });
}
