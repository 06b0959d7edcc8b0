import { isImmutable } from './cache-rules.js';
import type { LocalFile } from './scan.js';
import type { Manifest } from './releases.js';

/**
 * A site object in the bucket (key relative to the prefix). `md5` is the MD5 of its content as far as we know it:
 * the ETag when that looks like one (not for multipart ETags), or what a manifest that recorded this very ETag says
 * (`withRecordedContent`).
 */
export interface RemoteObject {
  rel: string;
  md5: string | undefined;
  /** The listed ETag, unquoted. */
  etag?: string;
  size: number;
  lastModified: Date;
}

export interface ObjectHeaders {
  contentType: string;
  cacheControl: string;
}

export type Action = 'new' | 'changed' | 'headers' | 'unchanged';
/** Apply order: immutable assets first, then other files, then HTML. */
export const TIERS = ['asset', 'other', 'html'] as const;
export type Tier = (typeof TIERS)[number];

export interface PlanItem {
  file: LocalFile;
  action: Action;
  tier: Tier;
  /** For `headers`: what differs. */
  detail?: string;
}

export interface Plan {
  items: PlanItem[];
  /** Site objects that the new build no longer has: kept (open tabs may need them) until pruned. */
  stale: string[];
}

export function tierOf(file: LocalFile): Tier {
  if (isImmutable(file.cacheControl)) return 'asset';
  return /\.html?$/i.test(file.rel) ? 'html' : 'other';
}

/**
 * The listing with the content of each object that a manifest vouches for: where an entry recorded the very ETag
 * (and size) the listing shows, the object still holds that entry's bytes, since S3 gives an object a new ETag
 * whenever its content changes. This is what identifies content when the ETag is not the MD5 (SSE-KMS default
 * encryption, multipart uploads); elsewhere the ETag read as an MD5 stays the only proof (manifests without ETags).
 */
export function withRecordedContent(
  remote: Map<string, RemoteObject>,
  manifests: (Manifest | undefined)[],
): Map<string, RemoteObject> {
  const out = new Map(remote);
  for (const m of manifests) {
    for (const [rel, e] of Object.entries(m?.files ?? {})) {
      const r = remote.get(rel);
      if (r && e.etag && r.etag === e.etag && r.size === e.size && out.get(rel) === r)
        out.set(rel, { ...r, md5: e.md5 });
    }
  }
  return out;
}

/**
 * The headers of a remote object when we know them without asking S3: from the current release manifest, when its
 * entry has the same content as the object (so the manifest describes what is there).
 */
export function knownHeaders(
  remote: Map<string, RemoteObject>,
  manifest: Manifest | undefined,
): Map<string, ObjectHeaders> {
  const out = new Map<string, ObjectHeaders>();
  if (!manifest) return out;
  for (const [rel, e] of Object.entries(manifest.files)) {
    const r = remote.get(rel);
    if (r && r.md5 === e.md5 && r.size === e.size)
      out.set(rel, { contentType: e.contentType, cacheControl: e.cacheControl });
  }
  return out;
}

/** Files whose content matches the bucket but whose headers are unknown (a HEAD request tells). */
export function needHead(
  local: LocalFile[],
  remote: Map<string, RemoteObject>,
  known: Map<string, ObjectHeaders>,
): string[] {
  return local.filter((f) => sameContent(f, remote.get(f.rel)) && !known.has(f.rel)).map((f) => f.rel);
}

function sameContent(f: LocalFile, r: RemoteObject | undefined): boolean {
  return r !== undefined && r.md5 === f.md5 && r.size === f.size;
}

/** Compares the build with the bucket by content (MD5) and headers; never by modification time. */
export function makePlan(
  local: LocalFile[],
  remote: Map<string, RemoteObject>,
  headers: Map<string, ObjectHeaders>,
): Plan {
  const items: PlanItem[] = local.map((file) => {
    const tier = tierOf(file);
    const r = remote.get(file.rel);
    if (!r) return { file, action: 'new', tier };
    if (!sameContent(file, r)) return { file, action: 'changed', tier };
    const h = headers.get(file.rel);
    const diffs: string[] = [];
    if (h?.contentType !== file.contentType)
      diffs.push(`Content-Type ${h?.contentType ?? '(none)'} → ${file.contentType}`);
    if (h?.cacheControl !== file.cacheControl)
      diffs.push(`Cache-Control ${h?.cacheControl ?? '(none)'} → ${file.cacheControl}`);
    return diffs.length
      ? { file, action: 'headers', tier, detail: diffs.join('; ') }
      : { file, action: 'unchanged', tier };
  });
  const want = new Set(local.map((f) => f.rel));
  const stale = [...remote.keys()].filter((k) => !want.has(k)).sort();
  return { items, stale };
}

const TIER_ORDER: Record<Tier, number> = { asset: 0, other: 1, html: 2 };

/** The items that change something, in apply order (assets, other files, HTML; root index.html very last). */
export function ordered(items: PlanItem[]): PlanItem[] {
  return items
    .filter((i) => i.action !== 'unchanged')
    .sort(
      (a, b) =>
        TIER_ORDER[a.tier] - TIER_ORDER[b.tier] ||
        Number(a.file.rel === 'index.html') - Number(b.file.rel === 'index.html'),
    );
}

export function counts(plan: Plan): Record<Action, number> & { bytes: number } {
  const c = { new: 0, changed: 0, headers: 0, unchanged: 0, bytes: 0 };
  for (const i of plan.items) {
    c[i.action]++;
    if (i.action === 'new' || i.action === 'changed') c.bytes += i.file.size;
  }
  return c;
}
