import pMap from 'p-map';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputError, OpsError, describeError } from '../core/errors.js';
import { shown } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import {
  blobKey,
  checkIdAgainstS3Clock,
  contentHash,
  hashOfId,
  releaseId,
  type FileEntry,
  type Manifest,
} from './releases.js';
import {
  checkBucket,
  copyWithHeaders,
  getManifest,
  headObject,
  listBucket,
  newestReleaseId,
  putManifest,
  uploadFile,
  type BucketState,
} from './bucket.js';
import { isImmutable } from './cache-rules.js';
import { LOCK, startRun, waitForLock, withLock } from './coordination.js';
import { checkDistribution } from './invalidation.js';
import { humanSize } from '../core/size.js';
import { MAX_KEY_BYTES, type DeployOptions } from './options.js';
import {
  counts,
  knownHeaders,
  makePlan,
  needHead,
  ordered,
  withRecordedContent,
  type ObjectHeaders,
  type Plan,
  type PlanItem,
  type Tier,
} from './plan.js';
import { applyInOrder } from './apply-order.js';
import { invalidationPaths } from './invalidation-paths.js';
import { assertUnlocked } from '../ops/lock.js';
import { checkSourceDir, listBuild, md5File, scanBuild, type LocalFile } from './scan.js';
import { loadHashCache, saveHashCache } from './hash-cache.js';
import { invalidate, prune, planSummary, type Clients } from './steps.js';

export interface DeployResult {
  releaseId: string;
  uploaded: number;
  copied: number;
  deleted: number;
  unchanged: number;
  bytesUploaded: number;
  invalidationId: string;
  invalidationPaths: string[];
  plan: Plan;
  /** The site's URL from the distribution (alias or cloudfront.net name); unknown without a distribution. */
  siteUrl?: string;
  /** Nothing changed: the current release keeps serving. */
  unchangedRelease?: boolean;
}

/** The headline of the deploy-frontend action, `shisha-ops frontend deploy` and `frontend plan` (outputs: commands.ts). */
export function reportFrontendDeploy(r: DeployResult, opts: DeployOptions, reporter: Reporter): void {
  reporter.result(deployHeadline(opts, r));
}

/** The summary's first line: what happened to which release, and where it is served. */
export function deployHeadline(opts: DeployOptions, r: DeployResult): string {
  const where = r.siteUrl ?? `s3://${opts.bucket}/${opts.prefix}`;
  if (opts.dryRun)
    return `Frontend plan (dry run, nothing changed): would upload ${r.uploaded} files (${humanSize(r.bytesUploaded)}) to ${where}`;
  if (r.unchangedRelease) return `Frontend unchanged: release ${r.releaseId} keeps serving at ${where}`;
  return `Frontend deployed: release ${r.releaseId} is live at ${where}`;
}

/** Progress of the apply, to say what was and was not applied when something fails. */
interface Progress {
  uploads: number;
  uploadsDone: number;
  copies: number;
  copiesDone: number;
  bytes: number;
  /** The ETag S3 answered for each file written (rel → ETag), for the manifest. */
  etags: Map<string, string>;
}

export async function frontendDeployJob(opts: DeployOptions, c: Clients, reporter: Reporter): Promise<DeployResult> {
  const t0 = Date.now();
  const lap = (what: string) => reporter.debug(`${what}: ${Date.now() - t0} ms`);
  // Checks first: nothing remote changes until the build, the bucket and the distribution are known good. The local
  // work (listing, hashing) and the remote reads (checks, bucket listing, current manifest) run side by side.
  const root = await checkSourceDir(opts.sourceDir);
  const entries = listBuild(root, { includeDotfiles: opts.includeDotfiles, warn: (m) => reporter.warn(m) }).then(
    (list) => {
      // Never a release without its entry point (checkSourceDir saw it; this is what will be uploaded).
      if (!list.some((e) => e.rel === 'index.html'))
        throw new InputError('source-dir', `'${opts.sourceDir}' has no index.html to deploy`);
      const long = list.find((e) => Buffer.byteLength(opts.prefix + e.rel) > MAX_KEY_BYTES);
      if (long) {
        throw new InputError(
          'source-dir',
          `'${shown(long.rel)}' makes a key of ${Buffer.byteLength(opts.prefix + long.rel)} bytes: S3 keys are at most ${MAX_KEY_BYTES} bytes; shorten the path`,
        );
      }
      return list;
    },
  );
  const local = entries.then((list) => scanBuild(list, opts.rules, 8, loadHashCache(root)));
  const bucketOk = checkBucket(c.s3, opts.bucket);
  const unlocked = assertUnlocked(opts.bucket, reporter, { dryRun: opts.dryRun, s3: c.s3 }); // after a rollback (src/ops/lock.ts)
  const invalidating = opts.invalidate && Boolean(opts.distributionId);
  const site = invalidating
    ? checkDistribution(c.cf, opts.distributionId, (m) => reporter.warn(m))
    : Promise.resolve(undefined);
  // Read-only, side by side with HeadBucket (whose error wins). Before this deploy's marker exists a concurrent prune
  // may delete the manifest just listed: that read fails quietly here (no proof of a no-op) and is retried below.
  const listed = readBucket(c.s3, opts, opts.dryRun ? reporter : undefined);
  for (const p of [local, unlocked, site, listed]) p.catch(() => undefined); // awaited below, in the order of the checks
  await entries;
  await bucketOk;
  await unlocked;
  const siteUrl = await site;
  lap('checked');
  if (opts.dryRun) {
    const l = await listed;
    return (
      await publish(opts, reporter, c, await confirmCached(root, await local, l.current), l, invalidating, siteUrl)
    ).result;
  }

  // A deploy that changes nothing writes nothing (no marker, no lock): it decides from this first listing.
  const first = await listed;
  // A file the bucket lacks means this deploy changes something: its marker goes out now, while the hashing finishes.
  const names = await entries;
  const early = names.some((e) => !first.state.site.has(e.rel))
    ? startRun(c.s3, opts.bucket, opts.prefix, (m) => reporter.warn(m))
    : undefined;
  early?.catch(() => undefined); // awaited below
  const files = await confirmCached(root, await local, first.current);
  lap(`hashed ${files.length} files, listed ${first.state.site.size} objects`);
  // A HeadObject of this plan may meet an object a concurrent prune just deleted: then this is no no-op.
  const firstPlan = early
    ? undefined
    : await planAgainst(c.s3, opts, files, first.state, first.current).catch(() => undefined);
  if (firstPlan && isNoOp(firstPlan, entriesOf(files), first.current)) {
    const done = await publish(opts, reporter, c, files, first, invalidating, siteUrl, undefined, firstPlan);
    done.result.deleted = await prune(c, opts, reporter, done.manifest, files, first.state);
    lap('done (nothing changed)');
    return done.result;
  }
  // Other deploys of this prefix see this one from here on (coordination.ts): their prunes leave its files alone.
  // The bucket is listed again once the marker is written and no lock is held: the plan relies only on that listing.
  const marker = await (early ?? startRun(c.s3, opts.bucket, opts.prefix, (m) => reporter.warn(m)));
  let done: Awaited<ReturnType<typeof publish>>;
  try {
    await waitForLock(c.s3, opts.bucket, opts.prefix, (m) => reporter.info(m));
    done = await publish(
      opts,
      reporter,
      c,
      files,
      await readBucket(c.s3, opts, reporter),
      invalidating,
      siteUrl,
      marker.id,
    );
  } finally {
    await marker.end();
  }
  const { result, manifest, state } = done;
  result.deleted = await prune(c, opts, reporter, manifest, files, state, marker.id);
  lap('pruned');
  return result;
}

/**
 * Keeps a cached MD5 only where the current release manifest records the same size and MD5 for the file; hashes the
 * others now. Then remembers this build's MD5s for the next deploy (hash-cache.ts).
 */
async function confirmCached(root: string, files: LocalFile[], current: Manifest | undefined): Promise<LocalFile[]> {
  const out = await pMap(
    files,
    async (f) => {
      const m = current?.files[f.rel];
      if (!f.cached || (m && m.md5 === f.md5 && m.size === f.size)) return f;
      return { ...f, md5: await md5File(f.abs), cached: false };
    },
    { concurrency: 8 },
  );
  saveHashCache(root, out);
  return out;
}

interface Listed {
  state: BucketState;
  current: Manifest | undefined;
}

/** The bucket's listing and the current release manifest (read as soon as the listing names it; warned about if unreadable and `reporter` given). */
async function readBucket(s3: S3Client, opts: DeployOptions, reporter?: Reporter): Promise<Listed> {
  const newest = (releases: Map<string, Date>) => [...releases.keys()].sort().at(-1);
  const read = (id: string) => getManifest(s3, opts.bucket, opts.prefix, id);
  // Once the listing is past `_releases/` (keys come in order), the newest manifest is read while the rest of the
  // site is listed. It is used only if the whole listing names the same newest release.
  let early: { id: string; manifest: Promise<Manifest> } | undefined;
  const onReleases = (releases: Map<string, Date>) => {
    const id = newest(releases);
    if (!id) return;
    early = { id, manifest: read(id) };
    early.manifest.catch(() => undefined); // awaited below, or not needed
  };
  const state = await listBucket(s3, opts.bucket, opts.prefix, { onReleases }).catch((err) => {
    throw new OpsError(`ListObjectsV2 s3://${opts.bucket}/${opts.prefix} failed: ${describeError(err)}`, {
      cause: err,
    });
  });
  const currentId = newest(state.releases);
  // An unreadable current manifest must not block deploys: the plan then asks S3 for headers (HeadObject).
  const current = currentId
    ? await (early?.id === currentId ? early.manifest : read(currentId)).catch((err: unknown) => {
        reporter?.warn(`${describeError(err)}: planning without it`);
        return undefined;
      })
    : undefined;
  // The current manifest's ETags identify objects whose ETag is not their MD5 (SSE-KMS, multipart).
  if (current) state.site = withRecordedContent(state.site, [current]);
  return { state, current };
}

/** Nothing to upload, copy or publish: the bucket and the current manifest already hold this build. */
function isNoOp(plan: Plan, files: Record<string, FileEntry>, current: Manifest | undefined): boolean {
  const cnt = counts(plan);
  return (
    cnt.new + cnt.changed + cnt.headers === 0 && current !== undefined && hashOfId(current.id) === contentHash(files)
  );
}

function entriesOf(local: LocalFile[]): Record<string, FileEntry> {
  const files: Record<string, FileEntry> = {};
  for (const f of local)
    files[f.rel] = { md5: f.md5, size: f.size, contentType: f.contentType, cacheControl: f.cacheControl };
  return files;
}

/** Everything but the prune: plan, apply, manifest, invalidation. */
async function publish(
  opts: DeployOptions,
  reporter: Reporter,
  c: Clients,
  local: LocalFile[],
  listed: Listed,
  invalidating: boolean,
  siteUrl: string | undefined,
  runId?: string,
  planned?: Plan,
) {
  const t0 = Date.now();
  const lap = (what: string) => reporter.debug(`${what}: ${Date.now() - t0} ms`);
  const { state, current } = listed;
  // Another site below this prefix (a folder with its own _releases/) is never ours to write.
  const clash = local.find((f) => state.nested.some((n) => f.rel.startsWith(n)));
  if (clash) {
    const site = state.nested.find((n) => clash.rel.startsWith(n)) ?? '';
    throw new InputError(
      'source-dir',
      `${clash.rel} would overwrite a file of the site s3://${opts.bucket}/${opts.prefix}${site} (it has its own _releases/): rename the folder ${site} in the build or deploy it there with its own prefix; nothing was changed`,
    );
  }
  const currentId = current?.id ?? [...state.releases.keys()].sort().at(-1);
  const plan = planned ?? (await planAgainst(c.s3, opts, local, state, current));
  lap('planned');

  const files = entriesOf(local);
  const cnt = counts(plan);
  const nothingToDo = isNoOp(plan, files, current);
  const manifest: Manifest =
    nothingToDo && current
      ? current
      : { version: 1, id: releaseId(files, new Date(), currentId), createdAt: new Date().toISOString(), files };
  if (manifest !== current) checkIdAgainstS3Clock(manifest.id, state.s3Date);
  const paths = invalidating ? invalidationPaths(plan.items) : [];
  const result: DeployResult = {
    releaseId: manifest.id,
    uploaded: 0,
    copied: 0,
    deleted: 0,
    unchanged: cnt.unchanged,
    bytesUploaded: 0,
    invalidationId: '',
    invalidationPaths: paths,
    plan,
    siteUrl,
    unchangedRelease: nothingToDo,
  };
  reporter.summary(planSummary(opts, plan, manifest.id, current?.id, paths, nothingToDo));

  if (opts.dryRun) {
    reporter.info(
      `dry run: nothing was changed (would upload ${cnt.new + cnt.changed} files, ${cnt.bytes} bytes; copy ${cnt.headers})`,
    );
    result.uploaded = cnt.new + cnt.changed;
    result.copied = cnt.headers;
    result.bytesUploaded = cnt.bytes;
    return { result, manifest, local, state };
  }
  if (nothingToDo) {
    reporter.info(`nothing changed: release ${manifest.id} keeps serving; no upload, no invalidation`);
    return { result, manifest, local, state };
  }

  const steps = ordered(plan.items);
  const p: Progress = {
    uploads: cnt.new + cnt.changed,
    uploadsDone: 0,
    copies: cnt.headers,
    copiesDone: 0,
    bytes: 0,
    etags: new Map(),
  };
  const liveHtml = steps.filter((i) => i.tier === 'html');
  let stage: 'asset' | 'other' | 'lock' | 'html' | 'manifest' = 'asset';
  const applyTier = async (tier: Tier) => {
    stage = tier;
    const n = steps.filter((i) => i.tier === tier).length;
    if (!n) return;
    await reporter.group(`${tierTitle(tier)}: ${n}`, () =>
      applyInOrder(steps, tier, opts.concurrency, (i) => applyItem(c, opts, reporter, i, p, state)),
    );
  };
  try {
    await applyTier('asset');
    await applyTier('other');
    stage = 'lock';
    // HTML and manifest under the lock, the id taken after the newest manifest: the newest release is the live one.
    const held = await withLock(
      c.s3,
      opts.bucket,
      opts.prefix,
      { wait: runId !== undefined, onWait: (m) => reporter.info(m) },
      async (lock) => {
        const newest = await newestReleaseId(c.s3, opts.bucket, opts.prefix);
        if (newest && newest >= manifest.id) {
          manifest.id = releaseId(files, new Date(), newest);
          result.releaseId = manifest.id;
          reporter.info(`another deploy published ${newest} meanwhile: this release is ${manifest.id}`);
        }
        await applyTier('html');
        stage = 'manifest';
        lap('uploaded');
        await keepRollbackCopies(c.s3, opts, local, state, p.etags);
        recordEtags(files, plan, state, p.etags);
        await lock.assertHeld(); // never a manifest for HTML that another deploy may have overwritten meanwhile
        await putManifest(c.s3, opts.bucket, opts.prefix, manifest);
      },
    );
    if ('heldBy' in held)
      throw new OpsError(
        `another deploy (${held.heldBy}) has held s3://${opts.bucket}/${opts.prefix}${LOCK} for too long`,
      );
  } catch (err) {
    throw new OpsError(failureMessage(stage, p, liveHtml.length, err), { cause: err });
  }
  result.uploaded = p.uploadsDone;
  result.copied = p.copiesDone;
  result.bytesUploaded = p.bytes;
  reporter.info(
    `release ${manifest.id} is live: uploaded ${p.uploadsDone} files (${p.bytes} bytes), fixed headers of ${p.copiesDone} server-side`,
  );

  lap('manifest written');
  if (paths.length) {
    result.invalidationId = await invalidate(
      c,
      opts,
      reporter,
      manifest.id,
      paths,
      'the new files are live in the bucket',
    );
  }
  lap('invalidated');
  return { result, manifest, local, state };
}

/** The plan, asking S3 for the headers of objects whose content matches but that no manifest describes. */
async function planAgainst(
  s3: S3Client,
  opts: DeployOptions,
  local: LocalFile[],
  state: BucketState,
  current: Manifest | undefined,
): Promise<Plan> {
  const headers = knownHeaders(state.site, current);
  await pMap(
    needHead(local, state.site, headers),
    async (rel) => {
      try {
        headers.set(rel, await headObject(s3, opts.bucket, opts.prefix + rel));
      } catch (err) {
        throw new OpsError(`HeadObject ${opts.prefix + rel} failed: ${describeError(err)}`, { cause: err });
      }
    },
    { concurrency: opts.concurrency },
  );
  return makePlan(local, state.site, headers);
}

async function applyItem(
  c: Clients,
  opts: DeployOptions,
  reporter: Reporter,
  i: PlanItem,
  p: Progress,
  state: BucketState,
): Promise<void> {
  const key = opts.prefix + i.file.rel;
  if (i.action === 'headers') {
    const listed = state.site.get(i.file.rel)?.etag;
    p.etags.set(
      i.file.rel,
      await wrap('CopyObject', key, () => copyWithHeaders(c.s3, opts.bucket, key, key, i.file, listed)),
    );
    p.copiesDone++;
  } else {
    const etag = await wrap('PutObject', key, () =>
      uploadFile(c.s3Upload, opts.bucket, key, i.file, (e) => reporter.debug(`retrying ${key}: ${describeError(e)}`)),
    );
    p.etags.set(i.file.rel, etag);
    p.uploadsDone++;
    p.bytes += i.file.size;
    reporter.progress('uploaded', p.uploadsDone, p.uploads);
  }
}

async function wrap<T>(call: string, key: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new OpsError(`${call} ${key} failed: ${describeError(err)}`, { cause: err });
  }
}

/**
 * The manifest's ETags: what S3 answered for the files written now, the listed ETag for the files the plan found
 * unchanged (their content was identified by that ETag). A write whose answer had no ETag records none.
 */
function recordEtags(
  files: Record<string, FileEntry>,
  plan: Plan,
  state: BucketState,
  written: Map<string, string>,
): void {
  for (const i of plan.items) {
    const etag = i.action === 'unchanged' ? state.site.get(i.file.rel)?.etag : written.get(i.file.rel);
    const f = files[i.file.rel];
    if (f && etag) f.etag = etag;
  }
}

/** A server-side copy of every non-immutable file under `_releases/blobs/<md5>` (once per content): rollback restores from it. */
async function keepRollbackCopies(
  s3: S3Client,
  opts: DeployOptions,
  local: LocalFile[],
  state: BucketState,
  written: Map<string, string>,
): Promise<void> {
  const todo = new Map<string, LocalFile>();
  for (const f of local) if (!isImmutable(f.cacheControl) && !state.blobs.has(f.md5)) todo.set(f.md5, f);
  await pMap(
    todo.values(),
    (f) =>
      wrap('CopyObject', blobKey(opts.prefix, f.md5), () =>
        copyWithHeaders(
          s3,
          opts.bucket,
          opts.prefix + f.rel,
          blobKey(opts.prefix, f.md5),
          f as ObjectHeaders,
          // The copy stores this build's bytes: the object this deploy wrote, or the one it listed unchanged.
          written.get(f.rel) ?? state.site.get(f.rel)?.etag,
        ),
      ),
    { concurrency: opts.concurrency },
  );
}

function tierTitle(t: Tier): string {
  return t === 'asset' ? 'Immutable assets' : t === 'other' ? 'Other files' : 'HTML';
}

export function failureMessage(stage: string, p: Progress, htmlCount: number, err: unknown): string {
  const done = `uploaded ${p.uploadsDone} of ${p.uploads} files, fixed headers of ${p.copiesDone} of ${p.copies}`;
  const why = describeError(err);
  if (stage === 'asset' || stage === 'other' || stage === 'lock') {
    return `${why}; ${done}; HTML and the release manifest were not changed: the previous release keeps serving (a rerun uploads only what is missing)`;
  }
  if (stage === 'html') {
    return `${why}; ${done}; some of the ${htmlCount} HTML files may be updated (all their assets are in place), the release manifest was not written: rerun the deploy to finish`;
  }
  return `${why}; ${done}: the new files are live, but the release manifest was not written (rollback does not know this release yet): rerun the deploy, it uploads nothing again`;
}
