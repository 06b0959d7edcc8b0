import { createHash } from 'node:crypto';
import { OpsError } from '../core/errors.js';

/** Everything a deploy records about one file, keyed by its path relative to the prefix. */
export interface FileEntry {
  md5: string;
  size: number;
  contentType: string;
  cacheControl: string;
  /**
   * The object's ETag (without quotes) as S3 returned it when this content was written: with SSE-KMS default
   * encryption or a multipart upload it is not the MD5, so the listing is compared with this. Absent in manifests
   * written before it was recorded (then an ETag that equals the MD5 is the only proof of content).
   */
  etag?: string;
}

export interface Manifest {
  version: 1;
  id: string;
  createdAt: string;
  /** Set by `rollback`: the release whose files this one restored, and the release it replaced. */
  restoredFrom?: string;
  rollbackOf?: string;
  files: Record<string, FileEntry>;
}

/**
 * Layout under the prefix. `_releases/` is never served (the infra module blocks it in CloudFront):
 *   _releases/<id>.json        one manifest per release
 *   _releases/blobs/<md5>      a copy of every non-immutable file (HTML etc.), by content, for rollback
 */
export const RELEASES_DIR = '_releases/';

/** Newlines, tabs and other control characters: S3 keys, URLs and logs cannot carry them safely. */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * The prefix input as the start of every key: spaces and slashes around it trimmed, then one `/` (`/site/v1/` →
 * `site/v1/`; empty stays empty). The backups' prefix has no trailing `/` (backup/naming.ts trimSlashes).
 */
export function keyPrefix(prefix: string): string {
  const p = prefix.trim().replace(/^\/+|\/+$/g, '');
  return p ? `${p}/` : '';
}

export function manifestKey(prefix: string, id: string): string {
  return `${prefix}${RELEASES_DIR}${id}.json`;
}

export function blobKey(prefix: string, md5: string): string {
  return `${prefix}${RELEASES_DIR}blobs/${md5}`;
}

const ID = /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}$/;

export function isReleaseId(id: string): boolean {
  return ID.test(id);
}

/** The hash of a release's content (keys, bytes and headers), independent of when it was made. */
export function contentHash(files: Record<string, FileEntry>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(files).sort()) {
    const f = files[k] as FileEntry;
    h.update(`${k}\0${f.md5}\0${f.contentType}\0${f.cacheControl}\n`);
  }
  return h.digest('hex').slice(0, 8);
}

/**
 * `20261124T232735.123Z-1a2b3c4d`: UTC time to the millisecond (ids sort chronologically) and the content hash.
 * Always later than `after` (the current release), whatever the local clock says.
 */
export function releaseId(files: Record<string, FileEntry>, now: Date = new Date(), after?: string): string {
  let t = now.getTime();
  if (after) t = Math.max(t, timeOfId(after) + 1);
  const ts = new Date(t).toISOString().replace(/[-:]/g, '');
  return `${ts}-${contentHash(files)}`;
}

export function timeOfId(id: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z/.exec(id);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!) : 0;
}

/** How far a release id's time may run ahead of its manifest's LastModified (a deploy from a machine whose clock is fast). */
export const ID_AHEAD_MS = 24 * 3600_000;

/**
 * Whether a listed manifest's id is a release: its time is not beyond the manifest's LastModified (S3's clock) by
 * more than ID_AHEAD_MS. A hand-written id in the far future would otherwise be "current" forever, and every later
 * id, taken after it, would be invalid.
 */
export function isPlausibleId(id: string, lastModified: Date): boolean {
  return isReleaseId(id) && timeOfId(id) <= lastModified.getTime() + ID_AHEAD_MS;
}

/**
 * Refuses a new release whose id (taken from this machine's clock) is more than ID_AHEAD_MS ahead of S3's clock
 * (`s3Date`, the Date of an S3 answer; nothing to compare with when undefined): listings would not take its manifest
 * for a release (isPlausibleId) while its HTML is live.
 */
export function checkIdAgainstS3Clock(id: string, s3Date: number | undefined): void {
  if (s3Date === undefined) return;
  const ahead = timeOfId(id) - s3Date;
  if (ahead <= ID_AHEAD_MS) return;
  throw new OpsError(
    `this machine's clock runs ${(ahead / 3600_000).toFixed(1)} h ahead of S3's (${new Date(s3Date).toISOString()}, the Date of its answer): release ${id} would not count as a release (its time may be at most ${ID_AHEAD_MS / 3600_000} h past S3's), so set the clock right (NTP) and deploy again; nothing was changed`,
  );
}

export function hashOfId(id: string): string {
  return id.slice(id.lastIndexOf('-') + 1);
}

/**
 * Why `rel` (a key relative to the prefix) cannot be a file of a site, or undefined when it can: no control
 * characters, no empty, `.` or `..` segments, no leading slash, nothing under a `_releases/` (ours or a nested
 * site's reserved folder).
 */
export function unsafeRel(rel: string): string | undefined {
  if (!rel) return 'is empty';
  if (hasControlCharacter(rel)) return 'contains a control character';
  const segments = rel.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return "has an empty, '.' or '..' segment";
  if (segments.includes(RELEASES_DIR.slice(0, -1))) return `is in a reserved ${RELEASES_DIR} folder`;
  return undefined;
}

const MD5 = /^[0-9a-f]{32}$/;
/** An ETag as recorded: printable ASCII without spaces or double quotes. */
const ETAG = /^[!#-~]{1,200}$/;

/** A manifest read from the bucket: anyone who can write the bucket can write one, so every key and md5 is checked. */
export function parseManifest(text: string, key: string): Manifest {
  const m = JSON.parse(text) as Manifest;
  if (m?.version !== 1 || typeof m.id !== 'string' || typeof m.files !== 'object' || m.files === null) {
    throw new Error(`${key} is not a release manifest (version 1)`);
  }
  for (const [rel, f] of Object.entries(m.files)) {
    const why = unsafeRel(rel);
    const shown = JSON.stringify(rel.slice(0, 200));
    if (why) throw new Error(`${key} is not a valid release manifest: its file ${shown} ${why}`);
    if (
      !MD5.test(String(f?.md5)) ||
      typeof f.size !== 'number' ||
      typeof f.contentType !== 'string' ||
      typeof f.cacheControl !== 'string'
    ) {
      throw new Error(
        `${key} is not a valid release manifest: the entry of ${shown} needs md5 (32 hex digits), size, contentType and cacheControl`,
      );
    }
    if (f.etag !== undefined && (typeof f.etag !== 'string' || !ETAG.test(f.etag)))
      throw new Error(
        `${key} is not a valid release manifest: the etag of ${shown} must be 1-200 printable characters without quotes`,
      );
    if (hasControlCharacter(f.contentType) || hasControlCharacter(f.cacheControl))
      throw new Error(`${key} is not a valid release manifest: the headers of ${shown} contain a control character`);
  }
  return m;
}
