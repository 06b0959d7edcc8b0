/**
 * A local edge that answers like the CloudFront distribution in infra/modules/frontend-cloudfront, in front of the
 * lab's SPA bucket (moto_server) and the Lightsail fake's service URL:
 *  - default behaviour: runs THE SAME CloudFront Function file Terraform deploys (functions/spa-routing.js, viewer
 *    request), then serves the object from the bucket with its stored Content-Type, Cache-Control, ETag and
 *    Last-Modified; a missing object keeps S3's 404 (or 403), `_releases/` is denied (403) as the bucket policy does,
 *    only GET/HEAD/OPTIONS are allowed (OPTIONS gets S3's 403: the bucket has no CORS configuration); If-None-Match
 *    revalidates to 304; a Range request gets 206 (or 416) from the whole object; HEAD has the Content-Length GET would send;
 *  - `/api/*`: forwarded to the API origin with every viewer header but Host, never cached, with the optional
 *    `/api` strip (functions/strip-api-prefix.js, its `${prefix}` filled in as Terraform's templatefile() does);
 *    the origin's status passes through, an unreachable origin is a 502;
 *  - a 404 from either origin becomes the distribution's custom error response: the page at `not_found_page_path`
 *    (read from the Terraform: the prod env's module arguments, else the module's default) from the bucket, with
 *    status 404 (the original error when the page itself is missing; not modelled: its 10 s error caching);
 *  - every response gets the security headers of the response-headers policy (src/ops/security-headers.ts);
 *  - with `distributionId`, a cache like CloudFront's: 200s kept for s-maxage (else max-age, else one day),
 *    keyed by the URI after the function, until an invalidation of the distribution (read from moto) covers them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetInvalidationCommand, ListInvalidationsCommand, type CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { cloudFrontClient, s3Client } from '../../src/core/aws.js';
import { RELEASES_DIR } from '../../src/frontend/releases.js';
import { SECURITY_HEADERS } from '../../src/ops/security-headers.js';
import { tfModule } from '../unit/infra-hcl.js';

const FUNCTIONS = path.resolve(import.meta.dirname, '..', '..', 'infra', 'modules', 'frontend-cloudfront', 'functions');
const API_PATTERN_PREFIX = '/api';
const DEFAULT_TTL = 86400;
const MAX_TTL = 31536000;

/** What a CloudFront Function returns: the (changed) request, or a response it generated. */
export interface CfRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
  cookies: Record<string, { value: string }>;
}
interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, { value: string }>;
  body?: string | { data: string };
}
export type CloudFrontHandler = (event: unknown) => CfRequest | CfResponse;

/**
 * Loads a CloudFront Function file as Terraform does (`file()`, or `templatefile()` with `vars`) and evaluates it
 * in a fresh V8 context, returning its `handler`.
 */
export function loadCloudFrontFunction(file: string, vars: Record<string, string> = {}): CloudFrontHandler {
  let code = readFileSync(path.isAbsolute(file) ? file : path.join(FUNCTIONS, file), 'utf8');
  for (const [k, v] of Object.entries(vars)) code = code.split('${' + k + '}').join(v);
  const left = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.exec(code);
  if (left) throw new Error(`${file}: template variable ${left[0]} has no value`);
  const context = vm.createContext({});
  return vm.runInContext(`${code}\n;handler`, context, { filename: file }) as CloudFrontHandler;
}

export interface EdgeOptions {
  /** The SPA bucket (the distribution's S3 origin) and its origin path. */
  bucket: string;
  prefix?: string;
  /** The API origin: the Lightsail service URL. None: `/api/*` answers 502. */
  apiOrigin?: string;
  /** The module's strip_api_prefix variable. */
  stripApiPrefix?: boolean;
  /** Cache like CloudFront, purged by this distribution's invalidations in moto. */
  distributionId?: string;
  /** The 404 page path, or null for none (default: what the Terraform configures, see notFoundPageFromTerraform). */
  notFoundPagePath?: string | null;
  /** The AWS variables to reach moto (default: this process's). */
  env?: Record<string, string | undefined>;
  port?: number;
}

interface Cached {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  expires: number;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
  cache?: 'Hit' | 'Miss' | 'Error';
}

export class Edge {
  url = '';
  private server?: http.Server;
  private readonly s3: S3Client;
  private readonly cf: CloudFrontClient;
  private readonly spaRouting = loadCloudFrontFunction('spa-routing.js');
  private readonly stripApi?: CloudFrontHandler;
  private readonly cache = new Map<string, Cached>();
  private readonly seenInvalidations = new Set<string>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private notFoundPage: string | null = null;
  /** Every viewer request and how it was answered (for tests). */
  readonly log: { method: string; uri: string; status: number }[] = [];

  constructor(readonly opts: EdgeOptions) {
    const env = opts.env ?? process.env;
    this.s3 = s3Client(env);
    this.cf = cloudFrontClient(env);
    if (opts.stripApiPrefix)
      this.stripApi = loadCloudFrontFunction('strip-api-prefix.js', { prefix: API_PATTERN_PREFIX });
  }

  async start(): Promise<string> {
    this.notFoundPage =
      this.opts.notFoundPagePath !== undefined ? this.opts.notFoundPagePath : await notFoundPageFromTerraform();
    await this.applyInvalidations(); // those made before the edge existed cover nothing it caches
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(this.opts.port ?? 0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://edge');
    try {
      if (url.pathname.startsWith(`${API_PATTERN_PREFIX}/`)) return await this.api(req, res, url);
      let a = await this.spa(req, url);
      if (a.status === 404) a = (await this.errorPage()) ?? a;
      this.log.push({ method, uri: url.pathname, status: a.status });
      const headers: Record<string, string> = {
        ...a.headers,
        ...SECURITY_HEADERS,
        via: '1.1 shisha-edge (CloudFront-like)',
      };
      if (a.cache) headers['x-cache'] = `${a.cache} from cloudfront`;
      if (a.body) headers['content-length'] = String(a.body.length); // HEAD too: the length GET would send
      res.writeHead(a.status, headers);
      res.end(method === 'HEAD' ? undefined : a.body);
    } catch (err) {
      this.log.push({ method, uri: url.pathname, status: 502 });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', ...SECURITY_HEADERS });
      res.end(`502 Bad Gateway: ${(err as Error).message}`);
    }
  }

  // ---- default behaviour: S3 origin behind the SPA routing function ----------------------------------------------

  private async spa(req: http.IncomingMessage, url: URL): Promise<Answer> {
    const method = req.method ?? 'GET';
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
      return {
        status: 403,
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from('403 Forbidden: this distribution does not allow the method on this path'),
        cache: 'Error',
      };
    }
    const out = this.spaRouting(viewerEvent(req, url));
    if ('statusCode' in out) return functionResponse(out);
    const uri = out.uri;
    // OPTIONS reaches S3, and the SPA bucket has no CORS configuration.
    if (method === 'OPTIONS')
      return { ...s3Error(403, 'CORSResponse', 'CORS is not enabled for this bucket.'), cache: 'Error' };
    await this.applyInvalidations();
    let entry = this.opts.distributionId ? this.cache.get(uri) : undefined;
    let hit: 'Hit' | 'Miss' = 'Hit';
    if (!entry || entry.expires <= Date.now()) {
      hit = 'Miss';
      const fetched = await this.fromOrigin(uri);
      if (fetched.status !== 200) return { ...fetched, cache: 'Error' };
      entry = {
        ...fetched,
        body: fetched.body ?? Buffer.alloc(0),
        expires: Date.now() + ttlOf(fetched.headers['cache-control']) * 1000,
      };
      if (this.opts.distributionId) this.cache.set(uri, entry);
    }
    const inm = req.headers['if-none-match'];
    if (
      inm &&
      entry.headers.etag &&
      inm
        .split(',')
        .map((s) => s.trim())
        .includes(entry.headers.etag)
    ) {
      const { 'content-length': _l, 'content-type': _t, ...rest } = entry.headers;
      return { status: 304, headers: rest, cache: hit };
    }
    if (method === 'GET' && req.headers.range) return { ...byteRange(entry, req.headers.range), cache: hit };
    return { status: entry.status, headers: entry.headers, body: entry.body, cache: hit };
  }

  /** GetObject as CloudFront's origin access control does (signed), keeping the object's headers and S3's errors. */
  private async fromOrigin(uri: string): Promise<Answer> {
    let key: string;
    try {
      key = (this.opts.prefix ?? '') + decodeURIComponent(uri.slice(1));
    } catch {
      return s3Error(400, 'InvalidURI', 'Could not parse the specified URI.');
    }
    // The bucket policy denies CloudFront the release manifests (and the deploy lock) under _releases/.
    if (key.startsWith(RELEASES_DIR)) return s3Error(403, 'AccessDenied', 'Access Denied');
    try {
      const o = await this.s3.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
      const body = Buffer.from(await o.Body!.transformToByteArray());
      const headers: Record<string, string> = {};
      if (o.ContentType) headers['content-type'] = o.ContentType;
      if (o.CacheControl) headers['cache-control'] = o.CacheControl;
      if (o.ETag) headers.etag = o.ETag;
      if (o.LastModified) headers['last-modified'] = o.LastModified.toUTCString();
      return { status: 200, headers, body };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 502;
      const name = (err as { name?: string }).name ?? 'Error';
      if (status === 404) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
      if (status === 403) return s3Error(403, 'AccessDenied', 'Access Denied');
      return s3Error(status >= 500 ? status : 502, name, (err as Error).message);
    }
  }

  /**
   * The custom error response for a 404 (CloudFront's error pages are distribution-wide, /api/* included): the page
   * object from the bucket with status 404; none when no page is configured or the page itself is missing.
   */
  private async errorPage(): Promise<Answer | undefined> {
    if (!this.notFoundPage) return undefined;
    const page = await this.fromOrigin(this.notFoundPage);
    if (page.status !== 200) return undefined;
    return { status: 404, headers: page.headers, body: page.body, cache: 'Error' };
  }

  /** Purges what new invalidations of the distribution cover (paths with a trailing `*` are prefixes). */
  private async applyInvalidations(): Promise<void> {
    const id = this.opts.distributionId;
    if (!id) return;
    const list = await this.cf.send(new ListInvalidationsCommand({ DistributionId: id }));
    for (const item of list.InvalidationList?.Items ?? []) {
      if (!item.Id || this.seenInvalidations.has(item.Id)) continue;
      this.seenInvalidations.add(item.Id);
      const inv = await this.cf.send(new GetInvalidationCommand({ DistributionId: id, Id: item.Id }));
      for (const p of inv.Invalidation?.InvalidationBatch?.Paths?.Items ?? []) {
        for (const key of [...this.cache.keys()]) {
          if (p.endsWith('*') ? key.startsWith(p.slice(0, -1)) : key === p) this.cache.delete(key);
        }
      }
    }
  }

  // ---- /api/*: the Lightsail origin --------------------------------------------------------------------------------

  private async api(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    let uri = url.pathname;
    if (this.stripApi) {
      const out = this.stripApi(viewerEvent(req, url));
      if ('statusCode' in out) {
        const a = functionResponse(out);
        res.writeHead(a.status, { ...a.headers, ...SECURITY_HEADERS });
        return void res.end(a.body);
      }
      uri = out.uri;
    }
    const origin = this.opts.apiOrigin;
    const fail = (why: string) => {
      this.log.push({ method, uri: url.pathname, status: 502 });
      res.writeHead(502, { 'content-type': 'text/html', ...SECURITY_HEADERS, 'x-cache': 'Error from cloudfront' });
      res.end(`<h1>502 Bad Gateway</h1><p>CloudFront could not connect to the origin: ${why}</p>`);
    };
    if (!origin) return fail('no API origin is configured');
    const target = new URL(uri.replace(/^\//, '') + url.search, origin.endsWith('/') ? origin : `${origin}/`);
    const headers = { ...req.headers, host: target.host };
    await new Promise<void>((resolve) => {
      const up = http.request(target, { method, headers, agent: this.agent }, (ures) => {
        this.log.push({ method, uri: url.pathname, status: ures.statusCode ?? 502 });
        if (ures.statusCode === 404 && this.notFoundPage) {
          ures.resume();
          void this.errorPage().then(
            (page) => {
              if (page) {
                res.writeHead(404, { ...page.headers, ...SECURITY_HEADERS, 'x-cache': 'Error from cloudfront' });
                res.end(method === 'HEAD' ? undefined : page.body);
              } else {
                res.writeHead(404, { ...ures.headers, ...SECURITY_HEADERS, 'x-cache': 'Error from cloudfront' });
                res.end();
              }
              resolve();
            },
            (err: unknown) => {
              res.destroy(err as Error);
              resolve();
            },
          );
          return;
        }
        res.writeHead(ures.statusCode ?? 502, {
          ...ures.headers,
          ...SECURITY_HEADERS,
          'x-cache': 'Miss from cloudfront',
        });
        ures.pipe(res);
        ures.on('end', resolve);
      });
      up.on('error', (err) => {
        fail((err as { code?: string }).code ?? err.message);
        resolve();
      });
      req.pipe(up);
    });
  }
}

/**
 * The distribution's 404 page path as Terraform configures it: the prod env's `not_found_page_path` argument to the
 * frontend-cloudfront module when it sets one, else the module variable's default (null: no custom error response).
 */
export async function notFoundPageFromTerraform(): Promise<string | null> {
  const prod = await tfModule('envs/prod');
  const args = prod.named('module').find((m) => m.name === 'frontend')?.body as Record<string, unknown> | undefined;
  if (args && 'not_found_page_path' in args) return (prod.resolve(args.not_found_page_path) as string | null) ?? null;
  return (
    ((await tfModule('modules/frontend-cloudfront')).variable('not_found_page_path').default as string | null) ?? null
  );
}

function viewerEvent(req: http.IncomingMessage, url: URL): unknown {
  const headers: Record<string, { value: string }> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = { value: Array.isArray(v) ? v.join(',') : v };
  const querystring: Record<string, { value: string }> = {};
  for (const [k, v] of url.searchParams) querystring[k] = { value: v };
  const request: CfRequest = { method: req.method ?? 'GET', uri: url.pathname, querystring, headers, cookies: {} };
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: req.socket.remoteAddress ?? '127.0.0.1' },
    request,
  };
}

function functionResponse(r: CfResponse): Answer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = v.value;
  const body = typeof r.body === 'string' ? r.body : (r.body?.data ?? '');
  return { status: r.statusCode, headers, body: Buffer.from(body), cache: 'Error' };
}

/**
 * One byte range of a whole object, as S3 and CloudFront answer it: 206 with Content-Range, 416 when it starts past
 * the end; several ranges or a malformed header get the whole object (200), as S3 does.
 */
function byteRange(entry: { headers: Record<string, string>; body: Buffer }, header: string): Answer {
  const size = entry.body.length;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { status: 200, headers: entry.headers, body: entry.body };
  const [start, end] =
    m[1] === ''
      ? [Math.max(0, size - Number(m[2])), size - 1]
      : [Number(m[1]), Math.min(m[2] === '' ? size - 1 : Number(m[2]), size - 1)];
  if (start >= size || start > end) {
    const e = s3Error(416, 'InvalidRange', 'The requested range is not satisfiable');
    return { ...e, headers: { ...e.headers, 'content-range': `bytes */${size}` } };
  }
  return {
    status: 206,
    headers: { ...entry.headers, 'content-range': `bytes ${start}-${end}/${size}` },
    body: entry.body.subarray(start, end + 1),
  };
}

function s3Error(status: number, code: string, message: string): Answer {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return { status, headers: { 'content-type': 'application/xml' }, body: Buffer.from(body) };
}

/** CloudFront's TTL for an object: s-maxage, else max-age, else the default TTL; at most the max TTL. */
export function ttlOf(cacheControl: string | undefined): number {
  const cc = cacheControl ?? '';
  const s = /s-maxage=(\d+)/i.exec(cc)?.[1] ?? /(?:^|[,\s])max-age=(\d+)/i.exec(cc)?.[1];
  if (/no-store|no-cache|private/i.test(cc) && s === undefined) return 0;
  return Math.min(s === undefined ? DEFAULT_TTL : Number(s), MAX_TTL);
}
