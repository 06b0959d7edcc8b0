import type { PlanItem } from './plan.js';

/** More distinct paths than this are collapsed to `/*` (one path for CloudFront's billing and limits). */
export const COLLAPSE_THRESHOLD = 15;

/** A CloudFront path for a key: `/` + the key, URL-encoded (spaces, non-ASCII, `?`, `#`, `*`). */
export function cloudFrontPath(rel: string): string {
  return '/' + encodeURI(rel).replace(/[?#*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Paths to invalidate: files that are new, changed or got new headers and are not immutable. An `index.html`
 * also invalidates its directory (`/` for the root one). Past the threshold: `/*`.
 */
export function invalidationPaths(items: PlanItem[], threshold = COLLAPSE_THRESHOLD): string[] {
  const paths = new Set<string>();
  for (const i of items) {
    if (i.action === 'unchanged' || i.tier === 'asset') continue;
    paths.add(cloudFrontPath(i.file.rel));
    if (i.file.rel === 'index.html' || i.file.rel.endsWith('/index.html')) {
      paths.add(cloudFrontPath(i.file.rel.slice(0, -'index.html'.length)));
    }
  }
  if (paths.size > threshold) return ['/*'];
  return [...paths].sort();
}
