import { createReadStream } from 'node:fs';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InputError, OpsError, describeError } from '../core/errors.js';
import { deleteObjects, listObjects } from '../core/s3.js';
import type { ObjectHeaders, RemoteObject } from './plan.js';
import { RELEASES_DIR, isPlausibleId, parseManifest, manifestKey, type Manifest } from './releases.js';
import type { LocalFile } from './scan.js';
import { withRetry } from '../core/retry.js';
import { LeanPut } from './put-object.js';

/** What the bucket holds under the prefix: site objects, release manifests and rollback blobs. */
export interface BucketState {
  site: Map<string, RemoteObject>;
  /** Release id → the manifest object's LastModified (S3's clock). */
  releases: Map<string, Date>;
  /** md5 → LastModified of `_releases/blobs/<md5>`. */
  blobs: Map<string, Date>;
  /** Markers of deploys in progress (`_releases/running/<run>.json`): run id → LastModified. */
  running: Map<string, Date>;
  /** Other sites below the prefix (a folder with its own `_releases/`, e.g. `staging/`): never ours to touch. */
  nested: string[];
  /** S3's clock when it answered the listing (its Date header, ms), when it gave one. */
  s3Date?: number;
}

/** An ETag without its quotes (how manifests record it). */
export const unquoted = (etag: string | undefined) => (etag ?? '').replace(/"/g, '');

/** The ETag read as an MD5 when it looks like one (multipart ETags, "…-3", do not; SSE-KMS ones may but are not). */
const md5OfEtag = (etag: string) => (/^[0-9a-f]{32}$/.test(etag) ? etag : undefined);

/** HeadBucket before anything changes: a missing bucket or denied access is bad input. */
export async function checkBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) throw new InputError('bucket', `bucket '${bucket}' does not exist (HeadBucket: 404)`);
    if (status === 403) {
      throw new InputError(
        'bucket',
        `access to bucket '${bucket}' is denied (HeadBucket: 403): check the role's s3:ListBucket permission`,
      );
    }
    if (status === 301 || status === 400) {
      throw new InputError(
        'bucket',
        `bucket '${bucket}' is not reachable here (HeadBucket: ${status}): check the region`,
      );
    }
    throw new OpsError(`HeadBucket ${bucket} failed: ${describeError(err)}`, { cause: err });
  }
}

/**
 * Lists every object under the prefix, page by page (ListObjectsV2 returns at most 1,000 per call). Folders that hold
 * their own `_releases/` are other sites sharing the bucket: their objects are left out of `site`. `onReleases` is
 * called once the listing is past `_releases/`, with the releases listed (all of them where S3 lists keys in order).
 */
export async function listBucket(
  s3: S3Client,
  bucket: string,
  prefix: string,
  opts: { onReleases?: (releases: Map<string, Date>) => void } = {},
): Promise<BucketState> {
  const state: BucketState = { site: new Map(), releases: new Map(), blobs: new Map(), running: new Map(), nested: [] };
  const nested = new Set<string>();
  const own = prefix + RELEASES_DIR;
  const onDate = (ms: number) => (state.s3Date = ms);
  let onReleases = opts.onReleases;
  for await (const o of (await leanFor(s3).supports(bucket))
    ? leanList(leanFor(s3), bucket, prefix, onDate)
    : listObjects(s3, bucket, prefix, { onDate })) {
    const key = o.Key ?? '';
    const lastModified = o.LastModified ?? new Date(0);
    if (onReleases && key > own && !key.startsWith(own)) {
      onReleases(state.releases); // S3 lists keys in UTF-8 order: every manifest has been listed
      onReleases = undefined;
    }
    if (key.startsWith(own)) {
      const rest = key.slice(own.length);
      if (rest.startsWith('blobs/')) state.blobs.set(rest.slice('blobs/'.length), lastModified);
      else if (rest.startsWith('running/') && rest.endsWith('.json'))
        state.running.set(rest.slice('running/'.length, -5), lastModified);
      else if (rest.endsWith('.json') && isPlausibleId(rest.slice(0, -5), lastModified))
        state.releases.set(rest.slice(0, -5), lastModified);
      continue;
    }
    const rel = key.slice(prefix.length);
    const inner = rel.indexOf(`/${RELEASES_DIR}`);
    if (inner >= 0) nested.add(rel.slice(0, inner + 1));
    const etag = unquoted(o.ETag);
    state.site.set(rel, { rel, md5: md5OfEtag(etag), etag, size: o.Size ?? 0, lastModified });
  }
  // Outermost folders only: `a/` covers `a/b/` too.
  state.nested = [...nested].filter((n) => ![...nested].some((o) => o !== n && n.startsWith(o))).sort();
  for (const rel of state.site.keys()) if (state.nested.some((n) => rel.startsWith(n))) state.site.delete(rel);
  return state;
}

/** The newest release id under the prefix, from a listing of `_releases/` alone (not the site, not the blobs). */
export async function newestReleaseId(s3: S3Client, bucket: string, prefix: string): Promise<string | undefined> {
  let newest: string | undefined;
  for await (const o of listObjects(s3, bucket, prefix + RELEASES_DIR, { delimiter: '/' })) {
    const id = (o.Key ?? '').slice(prefix.length + RELEASES_DIR.length).replace(/\.json$/, '');
    if (isPlausibleId(id, o.LastModified ?? new Date(0)) && (!newest || id > newest)) newest = id;
  }
  return newest;
}

export async function getManifest(s3: S3Client, bucket: string, prefix: string, id: string): Promise<Manifest> {
  const key = manifestKey(prefix, id);
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return parseManifest(await (res.Body as { transformToString(): Promise<string> }).transformToString(), key);
  } catch (err) {
    throw new OpsError(`GetObject ${key} (release manifest) failed: ${describeError(err)}`, { cause: err });
  }
}

export async function headObject(s3: S3Client, bucket: string, key: string): Promise<ObjectHeaders> {
  const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { contentType: h.ContentType ?? '', cacheControl: h.CacheControl ?? '' };
}

const lean = new WeakMap<S3Client, LeanPut>();

/** The lean request path (put-object.ts) of a client: its endpoint, credentials, signer and HTTP handler. */
function leanFor(s3: S3Client): LeanPut {
  let l = lean.get(s3);
  if (!l) lean.set(s3, (l = new LeanPut(s3)));
  return l;
}

/**
 * Every object under the prefix through the lean ListObjectsV2, page by page, each page retried on its own; `onDate`
 * gets the Date of each answer (S3's clock).
 */
async function* leanList(l: LeanPut, bucket: string, prefix: string, onDate: (ms: number) => void) {
  let token: string | undefined;
  do {
    const page = await withRetry(() => l.listPage(bucket, prefix, token));
    if (page.date !== undefined) onDate(page.date);
    yield* page.objects;
    token = page.next;
  } while (token);
}

/**
 * Single-part PutObject from disk, with Content-MD5 for S3 to verify the bytes, retried with backoff on transient
 * failures (the body is read afresh on every attempt: pass a client without SDK retries). Sent by the lean path
 * (put-object.ts) when the bucket's endpoint signs with SigV4, by the SDK otherwise. Returns the new object's ETag
 * (unquoted; the MD5 unless the bucket encrypts with SSE-KMS).
 */
export async function uploadFile(
  s3NoRetry: S3Client,
  bucket: string,
  key: string,
  f: LocalFile,
  onRetry?: (err: unknown) => void,
): Promise<string> {
  const put = leanFor(s3NoRetry);
  const viaSdk = !(await put.supports(bucket));
  const res = await withRetry(
    () =>
      viaSdk
        ? s3NoRetry.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: createReadStream(f.abs),
              ContentLength: f.size,
              ContentMD5: Buffer.from(f.md5, 'hex').toString('base64'),
              ContentType: f.contentType,
              CacheControl: f.cacheControl,
            }),
          )
        : put.put({ bucket, key, ...f }),
    { onRetry },
  );
  return unquoted(res.ETag);
}

/** CopySource: bucket/key, URL-encoded per segment (spaces, `+`, non-ASCII). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Server-side copy that sets the headers (MetadataDirective REPLACE): a header fix or a restore, no upload. Returns
 * the new object's ETag (unquoted).
 */
export async function copyWithHeaders(
  s3: S3Client,
  bucket: string,
  from: string,
  to: string,
  h: ObjectHeaders,
  ifMatch?: string,
): Promise<string> {
  const res = await s3
    .send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: to,
        CopySource: copySource(bucket, from),
        // Only the object this deploy saw (listed, or wrote itself): never bytes another deploy put there meanwhile.
        CopySourceIfMatch: ifMatch ? `"${ifMatch}"` : undefined,
        MetadataDirective: 'REPLACE',
        ContentType: h.contentType,
        CacheControl: h.cacheControl,
      }),
    )
    .catch((err: unknown) => {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412)
        throw new OpsError(`${from} changed while this deploy ran (another deploy wrote it): rerun the deploy`, {
          cause: err,
        });
      throw err;
    });
  return unquoted(res.CopyObjectResult?.ETag);
}

export async function putManifest(s3: S3Client, bucket: string, prefix: string, m: Manifest): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: manifestKey(prefix, m.id),
      Body: JSON.stringify(m, null, 1),
      ContentType: 'application/json; charset=utf-8',
      CacheControl: 'no-store',
    }),
  );
}

/**
 * DeleteObjects in batches of 1,000; throws on the first key S3 refused. Calls `onDeleted` per batch. With `stopAt`
 * (a time), starts no batch after it; returns whether every key was deleted.
 */
export function deleteKeys(
  s3: S3Client,
  bucket: string,
  keys: string[],
  onDeleted: (n: number) => void,
  stopAt = Infinity,
): Promise<boolean> {
  return deleteObjects(s3, bucket, keys, { onDeleted, stopAt });
}
