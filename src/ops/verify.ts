import pLimit from 'p-limit';
import { InputError, OpsError } from '../core/errors.js';
import { getInt, getString, type InputSource } from '../core/inputs.js';
import { failedWith, type Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { OpsClients } from './clients.js';
import { checkBucket, getManifest, listBucket } from '../frontend/bucket.js';
import { isImmutable } from '../frontend/cache-rules.js';
import { contentTypeFor } from '../frontend/content-type.js';
import { isReleaseId, keyPrefix, type Manifest } from '../frontend/releases.js';
import { assetsInHtml, fetchWhole, immutableForAYear, md5, revalidates, siteUrl, type Fetched } from './http-check.js';
import { OPS_DEFAULTS } from './defaults.js';
import { securityHeaderProblems } from './security-headers.js';

export interface VerifyOptions {
  /** Wait between fetches of `/` while the live index.html is not the release yet (default 5 s). */
  intervalMs?: number;
}

interface Row {
  check: string;
  path: string;
  status: string;
  problems: string[];
  note?: string;
}

/** The site's URL: http(s), no query. */
function getSiteUrl(src: InputSource): string {
  const v = getString(src, 'url', { required: true });
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InputError('url', `expected the site's URL such as https://www.example.com, got '${v}'`);
  }
  if (!/^https?:$/.test(u.protocol) || u.search || u.hash)
    throw new InputError('url', `expected an http(s) URL without query or fragment, got '${v}'`);
  return u.toString();
}

function getPath(src: InputSource, name: string, dflt: string): string {
  const v = getString(src, name, { default: dflt });
  if (!v.startsWith('/') || /\s/.test(v)) throw new InputError(name, `expected a path starting with '/', got '${v}'`);
  return v;
}

/** The release the site should serve: `release-id`, else the newest manifest in the bucket; and every kept one. */
async function expectedRelease(
  s3: S3Client,
  bucket: string,
  prefix: string,
  wanted: string,
): Promise<{ release: Manifest; byIndexMd5: Map<string, string> }> {
  await checkBucket(s3, bucket);
  const state = await listBucket(s3, bucket, prefix);
  const ids = [...state.releases.keys()].sort();
  const id = wanted || ids.at(-1);
  if (!id) throw new OpsError(`no release manifests under s3://${bucket}/${prefix}_releases/: deploy the SPA first`);
  if (!state.releases.has(id))
    throw new InputError(
      'release-id',
      `release '${id}' is not in s3://${bucket}/${prefix}_releases/ (kept: ${ids.join(', ')})`,
    );
  const byIndexMd5 = new Map<string, string>();
  let release: Manifest | undefined;
  for (const r of ids) {
    const m = await getManifest(s3, bucket, prefix, r);
    const index = m.files['index.html']?.md5;
    if (index) byIndexMd5.set(index, m.restoredFrom ? `${r} (rollback to ${m.restoredFrom})` : r);
    if (r === id) release = m;
  }
  return { release: release!, byIndexMd5 };
}

/**
 * `shisha-ops verify --url <site>`: what a user would check after a deploy, through the real edge. Fetches `/`
 * (waiting, bounded by `wait-seconds`, until its index.html is the release in the bucket: CloudFront serves the old
 * one until the invalidation completes), a deep link, every hashed asset of the release, a missing asset and the
 * API's health path; checks status, Content-Type, Cache-Control and the distribution's security headers. One table;
 * fails (exit 1) when any check does.
 */
export interface OpsVerifyInputs {
  /** The site's URL. */
  base: string;
  /** The SPA bucket (empty: no release check), its prefix, and the release expected live (empty: the newest). */
  bucket: string;
  prefix: string;
  wanted: string;
  deepLink: string;
  healthPath: string;
  waitSeconds: number;
}

export function parseOpsVerifyInputs(src: InputSource): OpsVerifyInputs {
  const base = getSiteUrl(src);
  const bucket = getString(src, 'bucket');
  const prefix = keyPrefix(getString(src, 'prefix'));
  const wanted = getString(src, 'release-id');
  if (wanted && !isReleaseId(wanted))
    throw new InputError('release-id', `'${wanted}' is not a release id (e.g. 20261124T232735.123Z-1a2b3c4d)`);
  if (wanted && !bucket) throw new InputError('release-id', 'needs bucket (the release manifests are read from it)');
  const deepLink = getPath(src, 'deep-link', OPS_DEFAULTS['deep-link']);
  const healthPath = getPath(src, 'health-path', OPS_DEFAULTS['health-path']);
  const waitSeconds = getInt(src, 'wait-seconds', { default: OPS_DEFAULTS['wait-seconds'], min: 0, max: 3600 });
  return { base, bucket, prefix, wanted, deepLink, healthPath, waitSeconds };
}

export async function opsVerifyJob(
  { base, bucket, prefix, wanted, deepLink, healthPath, waitSeconds }: OpsVerifyInputs,
  clients: Pick<OpsClients, 's3'>,
  reporter: Reporter,
  options: VerifyOptions = {},
): Promise<OpsVerifyResult> {
  const interval = options.intervalMs ?? 5000;

  const expected = bucket ? await expectedRelease(clients.s3, bucket, prefix, wanted) : undefined;
  const rows: Row[] = [];

  // 1. The live index.html is the release: wait for the invalidation, bounded.
  const wantMd5 = expected?.release.files['index.html']?.md5;
  const deadline = Date.now() + waitSeconds * 1000;
  let root: Fetched;
  let waited = 0;
  for (;;) {
    root = await fetchWhole(siteUrl(base, '/'));
    if (!wantMd5 || (root.status === 200 && md5(root.body) === wantMd5) || Date.now() >= deadline) break;
    if (waited === 0)
      reporter.info(
        `the live index.html is ${liveRelease(root, expected?.byIndexMd5)}, not ${expected?.release.id} yet: waiting up to ${waitSeconds}s for the invalidation`,
      );
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))));
    waited++;
  }
  const rootRow = pageRow('index.html', '/', root);
  if (expected) {
    const live = md5(root.body);
    if (wantMd5 && live !== wantMd5) {
      rootRow.problems.push(
        `serves ${liveRelease(root, expected.byIndexMd5)}, expected release ${expected.release.id} (still not after ${waitSeconds}s: is the invalidation done?)`,
      );
    } else {
      rootRow.note = `release ${expected.release.id}`;
    }
  }
  rows.push(rootRow);

  // 2. A deep link gets the same SPA shell.
  const deep = await fetchWhole(siteUrl(base, deepLink));
  const deepRow = pageRow('deep link', deepLink, deep);
  if (deep.status === 200 && root.status === 200 && !deep.body.equals(root.body))
    deepRow.problems.push('body differs from / (not the SPA shell)');
  rows.push(deepRow);

  // 3. Every hashed asset of the release (or, without the bucket, those the live index.html references).
  const assets = expected
    ? Object.entries(expected.release.files)
        .filter(([, f]) => isImmutable(f.cacheControl))
        .map(([rel, f]) => ({ rel, file: f }))
    : assetsInHtml(root.body.toString('utf8')).map((rel) => ({ rel, file: undefined }));
  const limit = pLimit(8);
  const assetProblems = (
    await Promise.all(
      assets.map(({ rel, file }) =>
        limit(async () => {
          const r = await fetchWhole(siteUrl(base, `/${rel}`));
          const p: string[] = [];
          if (r.status !== 200) return [`${rel}: ${r.error ?? `HTTP ${r.status}`}`];
          if (file && r.headers.get('content-type') !== file.contentType)
            p.push(`Content-Type '${r.headers.get('content-type')}', expected '${file.contentType}'`);
          if (!file && !sameMediaType(r.headers.get('content-type'), contentTypeFor(rel)))
            p.push(`Content-Type '${r.headers.get('content-type')}', expected '${contentTypeFor(rel)}'`);
          if (!immutableForAYear(r.headers.get('cache-control')))
            p.push(`Cache-Control '${r.headers.get('cache-control') ?? ''}' is not immutable for a year`);
          if (file && md5(r.body) !== file.md5) p.push('content differs from the release');
          return p.map((x) => `${rel}: ${x}`);
        }),
      ),
    )
  ).flat();
  rows.push({
    check: `hashed assets (${assets.length})`,
    path: '/assets/…',
    status: assetProblems.length ? 'see detail' : assets.length ? '200' : '-',
    problems: assets.length ? assetProblems : ['no hashed assets found'],
  });

  // 4. A missing asset keeps its error status: never the SPA shell with 200.
  const missingPath = `/assets/shisha-ops-verify-missing-${Date.now().toString(36)}.js`;
  const missing = await fetchWhole(siteUrl(base, missingPath));
  rows.push({
    check: 'missing asset',
    path: missingPath,
    status: missing.error ?? String(missing.status),
    // S3 answers 403 for a missing key when the reader (CloudFront's OAC) may not list the bucket, 404 when it may.
    problems: [403, 404].includes(missing.status)
      ? []
      : [
          `expected 403 or 404, got ${missing.error ?? missing.status}${missing.status === 200 ? ' (an error page or SPA fallback hides missing files)' : ''}`,
        ],
  });

  // 5. The API's health through the same domain.
  const health = await fetchWhole(siteUrl(base, healthPath));
  const healthRow: Row = {
    check: 'API health',
    path: healthPath,
    status: health.error ?? String(health.status),
    problems: [],
  };
  if (health.status < 200 || health.status > 299)
    healthRow.problems.push(`expected 2xx, got ${health.error ?? `HTTP ${health.status}`}`);
  else if (!/^application\/(.+\+)?json/.test(health.headers.get('content-type') ?? ''))
    healthRow.problems.push(`Content-Type '${health.headers.get('content-type')}', expected JSON`);
  else {
    try {
      JSON.parse(health.body.toString('utf8'));
    } catch {
      healthRow.problems.push('body is not JSON');
    }
  }
  if (!health.error) healthRow.problems.push(...securityHeaderProblems((n) => health.headers.get(n)));
  rows.push(healthRow);

  const failed = rows.filter((r) => r.problems.length);
  reporter.summary({
    title: `Verify ${base}: ${failed.length ? `${failed.length} of ${rows.length} checks failed` : `all ${rows.length} checks passed`}`,
    lines: expected
      ? [
          `expected release ${expected.release.id} (s3://${bucket}/${prefix})${waited ? `; waited ${waited} time(s) for the invalidation` : ''}`,
        ]
      : ['no bucket given: assets taken from the live index.html'],
    table: [
      ['Check', 'Path', 'Status', 'Result', 'Detail'],
      ...rows.map((r) => [
        r.check,
        r.path,
        r.status,
        r.problems.length ? '✘' : '✔',
        r.problems.length
          ? r.problems.slice(0, 5).join('; ') + (r.problems.length > 5 ? `; … ${r.problems.length - 5} more` : '')
          : (r.note ?? ''),
      ]),
    ],
  });
  const result = { passed: rows.length - failed.length, failed: failed.length, releaseId: expected?.release.id };
  if (failed.length)
    throw failedWith(
      new OpsError(
        `verify ${base}: ${failed.length} of ${rows.length} checks failed (${failed.map((r) => r.check).join(', ')}); see the table`,
      ),
      result,
    );
  return result;
}

/** How many checks passed and failed, and the release expected live (when a bucket was given). */
export interface OpsVerifyResult {
  passed: number;
  failed: number;
  releaseId?: string;
}

export const OPS_VERIFY_OUTPUTS: Outputs<OpsVerifyResult> = {
  passed: (r) => r.passed,
  failed: (r) => r.failed,
  'release-id': (r) => r.releaseId,
};

const JAVASCRIPT = new Set(['text/javascript', 'application/javascript', 'application/x-javascript']);

/** Without the release's manifest: the media type its name calls for (any of JavaScript's), whatever the charset. */
function sameMediaType(got: string | null, want: string): boolean {
  const type = (v: string) => v.split(';')[0]!.trim().toLowerCase();
  const [g, w] = [type(got ?? ''), type(want)];
  return g === w || (JAVASCRIPT.has(g) && JAVASCRIPT.has(w));
}

/** Status, HTML Content-Type, revalidating Cache-Control and the security headers of a page. */
function pageRow(check: string, path: string, r: Fetched): Row {
  const row: Row = { check, path, status: r.error ?? String(r.status), problems: [] };
  if (r.status !== 200) {
    row.problems.push(`expected 200, got ${r.error ?? `HTTP ${r.status}`}`);
    return row;
  }
  if (!(r.headers.get('content-type') ?? '').startsWith('text/html'))
    row.problems.push(`Content-Type '${r.headers.get('content-type')}', expected text/html`);
  if (!revalidates(r.headers.get('cache-control')))
    row.problems.push(`Cache-Control '${r.headers.get('cache-control') ?? ''}' does not make browsers revalidate`);
  row.problems.push(...securityHeaderProblems((n) => r.headers.get(n)));
  return row;
}

function liveRelease(r: Fetched, byMd5: Map<string, string> | undefined): string {
  if (r.status !== 200) return `answering ${r.error ?? `HTTP ${r.status}`}`;
  const id = byMd5?.get(md5(r.body));
  return id ? `release ${id}` : 'an index.html no kept release has';
}
