import { createHash } from 'node:crypto';

/** One response, read whole (the site's files are small; fetch undoes CloudFront's compression). */
export interface Fetched {
  url: string;
  status: number;
  headers: Headers;
  body: Buffer;
  /** Why there is no response (DNS, TLS, timeout), when there is none. */
  error?: string;
}

export async function fetchWhole(url: string, timeoutMs = 15000): Promise<Fetched> {
  try {
    const res = await fetch(url, {
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'user-agent': 'shisha-ops verify' },
    });
    return { url, status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  } catch (err) {
    const e = err as { cause?: { code?: string; message?: string }; name?: string; message?: string };
    return {
      url,
      status: 0,
      headers: new Headers(),
      body: Buffer.alloc(0),
      error: e.cause?.code ?? e.cause?.message ?? e.name ?? String(err),
    };
  }
}

export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Joins a site URL and a path: `https://x.jp/` + `/api/health`. */
export function siteUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

/** HTML must be revalidated by browsers: max-age=0 or no-cache, never immutable. */
export function revalidates(cacheControl: string | null): boolean {
  const cc = (cacheControl ?? '').toLowerCase();
  return (
    !cc.includes('immutable') && (/(^|[,\s])max-age=0\b/.test(cc) || cc.includes('no-cache') || cc.includes('no-store'))
  );
}

/** A hashed asset must be cacheable for a year and immutable. */
export function immutableForAYear(cacheControl: string | null): boolean {
  const cc = (cacheControl ?? '').toLowerCase();
  const age = Number(/(?:^|[,\s])max-age=(\d+)/.exec(cc)?.[1] ?? 0);
  return cc.includes('immutable') && age >= 31536000;
}

/** The /assets/… files an index.html references (script src, link href), for sites verified without the bucket. */
export function assetsInHtml(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)) found.add(m[1]!.slice(1));
  return [...found].sort();
}
