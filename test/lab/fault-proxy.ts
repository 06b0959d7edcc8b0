/**
 * A small HTTP proxy in front of moto_server that injects S3 faults on chosen requests, for fault tests:
 * `500` InternalError, `501` NotImplemented, `503` SlowDown, `403` AccessDenied, `reset` (the connection is dropped
 * mid-request), or `lost` (the request reaches S3 and takes effect, but the connection drops before the answer).
 * It can also place buckets in regions (`inBucketRegion`): like S3, a request signed for another region gets
 * `301 PermanentRedirect` with `x-amz-bucket-region` (moto itself ignores regions). With `sseKmsEtags` it answers
 * ETags as S3 does for objects encrypted with SSE-KMS (`sseKmsEtags`), which moto does not, and list chosen objects
 * as written days ago (`backdate`: moto stamps every write with the present). `skewDate` moves S3's clock (the Date
 * header of every answer), as seen by a machine whose own clock is off.
 * Point AWS_ENDPOINT_URL_S3 at `proxy.url`.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '500' | '501' | '503' | '403' | 'reset' | 'lost';

export interface FaultRule {
  /** e.g. `PUT` */
  method?: string;
  /** Matched against the decoded request path (`/bucket/key`); a string matches as a substring. */
  path?: string | RegExp;
  /** Matched as a substring of the query string (e.g. `uploadId=`: CompleteMultipartUpload, not its creation). */
  query?: string;
  fault: Fault;
  /** How many matching requests get the fault (default: all). */
  times?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  fault?: Fault;
  userAgent?: string;
}

const BODIES: Record<Exclude<Fault, 'reset' | 'lost'>, [number, string, string]> = {
  '500': [500, 'InternalError', 'We encountered an internal error. Please try again.'],
  // S3 escapes its messages as XML: a client must decode them (the quotes here).
  '501': [
    501,
    'NotImplemented',
    'A header you provided implies functionality that is not implemented: &quot;x-amz-x&quot;',
  ],
  '503': [503, 'SlowDown', 'Please reduce your request rate.'],
  '403': [403, 'AccessDenied', 'Access Denied'],
};

/** Rewrites the body of matching answers from upstream (status and other headers stay). */
export interface RewriteRule {
  method?: string;
  path?: string | RegExp;
  /** How many matching answers are rewritten (default: all). */
  times?: number;
  body: (text: string) => string;
}

export class FaultProxy {
  private server?: http.Server;
  private rules: (FaultRule & { left: number })[] = [];
  private readonly regions = new Map<string, string>();
  readonly seen: SeenRequest[] = [];
  url = '';
  private readonly agent = new http.Agent({ keepAlive: true });
  private rewrites: (RewriteRule & { left: number })[] = [];
  private kms = false;
  /** Keys (`bucket/key`) listed with a LastModified this many ms earlier. */
  private readonly aged = new Map<string, number>();
  /** `/bucket/key` → moto's ETag of the object and the opaque ETag this proxy gave it. */
  private readonly opaque = new Map<string, { moto: string; etag: string }>();
  private writes = 0;
  private dateSkewMs = 0;
  /** Requests held back before they are forwarded: `{ method, path, ms }`. */
  private readonly slowRules: { method?: string; path?: string | RegExp; ms: number }[] = [];

  constructor(private readonly target: string) {}

  /** Adds a fault rule (rules are checked in order; the first with faults left applies). */
  inject(rule: FaultRule): this {
    this.rules.push({ ...rule, left: rule.times ?? Infinity });
    return this;
  }

  /** Puts `bucket` in `region`: requests signed for another region are answered as S3 does, 301 with the region. */
  inBucketRegion(bucket: string, region: string): this {
    this.regions.set(bucket, region);
    return this;
  }

  /** Adds a rewrite rule (checked in order, like the fault rules). */
  rewrite(rule: RewriteRule): this {
    this.rewrites.push({ ...rule, left: rule.times ?? Infinity });
    return this;
  }

  /**
   * ETags as S3 gives objects encrypted with SSE-KMS (moto answers the MD5 even then): 32 hex digits that are not the
   * MD5 of the content, a new one on every write (PutObject, CopyObject) even of the same bytes, and the same value
   * for the object in ListObjectsV2 listings, HeadObject and GetObject; If-Match and If-None-Match take it too.
   */
  sseKmsEtags(): this {
    this.kms = true;
    return this;
  }

  /** Lists these objects (`bucket/key`) as last modified `ms` earlier than moto says (ListObjectsV2 only). */
  backdate(keys: string[], ms: number): this {
    for (const k of keys) this.aged.set(k, ms);
    return this;
  }

  /** Answers with a Date header `ms` later (earlier when negative) than moto's. */
  skewDate(ms: number): this {
    this.dateSkewMs = ms;
    return this;
  }

  /** The headers of an answer, with the Date header moved by `skewDate`. */
  private dated(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
    if (!this.dateSkewMs || !headers.date) return headers;
    return { ...headers, date: new Date(Date.parse(headers.date) + this.dateSkewMs).toUTCString() };
  }

  /**
   * Holds matching requests back `ms` before forwarding them (a slow link or a far region), so a test can make one
   * operation reliably outlast another instead of hoping that it does.
   */
  slow(rule: { method?: string; path?: string | RegExp; ms: number }): this {
    this.slowRules.push(rule);
    return this;
  }

  clear(): void {
    this.rules = [];
    this.rewrites = [];
    this.slowRules.length = 0;
    this.seen.length = 0;
  }

  /** Requests that got a fault. */
  get faults(): SeenRequest[] {
    return this.seen.filter((s) => s.fault);
  }

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = http.createServer((req, res) => {
      const path = safeDecode((req.url ?? '/').split('?')[0] ?? '/');
      const rule = this.rules.find(
        (r) =>
          r.left > 0 &&
          (!r.method || r.method === req.method) &&
          matches(r.path, path) &&
          (!r.query || (req.url ?? '').split('?')[1]?.includes(r.query) === true),
      );
      const seen: SeenRequest = { method: req.method ?? '', path, userAgent: req.headers['user-agent'] };
      this.seen.push(seen);
      const bucketRegion = this.regions.get(path.split('/')[1] ?? '');
      const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      if (bucketRegion && signedFor !== bucketRegion) {
        req.resume();
        req.on('end', () => {
          res.writeHead(301, {
            'content-type': 'application/xml',
            'x-amz-bucket-region': bucketRegion,
            connection: 'close',
          });
          res.end(
            req.method === 'HEAD'
              ? undefined
              : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><RequestId>region</RequestId></Error>',
          );
        });
        return;
      }
      if (rule) {
        rule.left--;
        seen.fault = rule.fault;
        if (rule.fault === 'reset') {
          req.socket.destroy();
          return;
        }
        if (rule.fault === 'lost') return this.forward(req, res, target, path, true);
        const [status, code, message] = BODIES[rule.fault];
        req.resume();
        req.on('end', () => {
          res.writeHead(status, { 'content-type': 'application/xml', connection: 'close' });
          res.end(
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault</RequestId></Error>`,
          );
        });
        return;
      }
      const ifMatch = req.headers['x-amz-copy-source-if-match'];
      const source = req.headers['x-amz-copy-source'];
      if (req.method === 'PUT' && typeof ifMatch === 'string' && typeof source === 'string') {
        // moto ignores the copy's condition; S3 answers 412 when the source's ETag differs.
        req.pause();
        void this.sourceEtag(target, source, req.headers).then((etag) => {
          if (etag !== undefined && etag === ifMatch.replace(/"/g, '')) return this.forward(req, res, target, path);
          req.resume();
          req.on('end', () => {
            res.writeHead(412, { 'content-type': 'application/xml', connection: 'close' });
            res.end(
              '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>x-amz-copy-source-If-Match</Condition><RequestId>copy</RequestId></Error>',
            );
          });
        });
        return;
      }
      const slow = this.slowRules.find((r) => (!r.method || r.method === req.method) && matches(r.path, path));
      if (slow) {
        req.pause();
        setTimeout(() => this.forward(req, res, target, path), slow.ms);
        return;
      }
      this.forward(req, res, target, path);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** The ETag a client sees for the copy source `bucket/key` (URL-encoded, as in x-amz-copy-source). */
  private sourceEtag(target: URL, source: string, asked: http.IncomingHttpHeaders): Promise<string | undefined> {
    // moto checks who asks (the access key of the signature), not the signature itself.
    const who = Object.fromEntries(
      ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']
        .filter((h) => typeof asked[h] === 'string')
        .map((h) => [h, asked[h] as string]),
    );
    const p = `/${source.replace(/^\//, '').split('?')[0]}`;
    return new Promise((resolve) => {
      http
        .request(
          { host: target.hostname, port: target.port, method: 'HEAD', path: p, headers: who, agent: this.agent },
          (r) => {
            r.resume();
            const moto = typeof r.headers.etag === 'string' ? r.headers.etag.replace(/"/g, '') : undefined;
            if ((r.statusCode ?? 500) >= 300 || moto === undefined) return resolve(undefined);
            resolve(this.kms ? this.etagFor(safeDecode(p), moto, false) : moto);
          },
        )
        .on('error', () => resolve(undefined))
        .end();
    });
  }

  /** Sends the request on to moto_server and relays its answer (`lost`: drops the connection instead). */
  private forward(req: http.IncomingMessage, res: http.ServerResponse, target: URL, path: string, lost = false): void {
    {
      const headers = { ...req.headers };
      if (this.kms) {
        for (const h of ['if-match', 'if-none-match'] as const) {
          const v = headers[h];
          if (typeof v === 'string' && v !== '*') headers[h] = this.motoEtag(path, v);
        }
      }
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          agent: this.agent,
        },
        (ures) => {
          if (lost) {
            ures.resume();
            ures.on('end', () => req.socket.destroy());
            return;
          }
          const rewrite = this.rewrites.find(
            (r) => r.left > 0 && (!r.method || r.method === req.method) && matches(r.path, path),
          );
          const asS3 = (this.kms || this.aged.size > 0) && (ures.statusCode ?? 500) < 300;
          if (!rewrite && !asS3) {
            res.writeHead(ures.statusCode ?? 502, this.dated(ures.headers));
            ures.pipe(res);
            return;
          }
          if (rewrite) rewrite.left--;
          const chunks: Buffer[] = [];
          ures.on('data', (c: Buffer) => chunks.push(c));
          ures.on('end', () => {
            const out = asS3
              ? this.asS3(req, path, ures.headers, Buffer.concat(chunks))
              : { headers: { ...ures.headers }, body: Buffer.concat(chunks) };
            if (rewrite) {
              out.body = Buffer.from(rewrite.body(out.body.toString('utf8')));
              out.headers['content-length'] = String(out.body.length);
            }
            res.writeHead(ures.statusCode ?? 502, this.dated(out.headers));
            res.end(req.method === 'HEAD' ? undefined : out.body);
          });
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    }
  }

  /** A response with moto's ETags replaced by SSE-KMS-like ones (`sseKmsEtags`) and listings backdated (`backdate`). */
  private asS3(
    req: http.IncomingMessage,
    path: string,
    headers: http.IncomingHttpHeaders,
    body: Buffer,
  ): { headers: http.IncomingHttpHeaders; body: Buffer } {
    const [, bucket = '', ...rest] = path.split('/');
    const key = rest.join('/');
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    // The SDK adds `x-id=PutObject` and the like; any other parameter is a sub-resource (tagging, uploadId, acl…).
    const plain = [...query.keys()].every((k) => k === 'x-id');
    const out = { ...headers };
    let text: string | undefined;
    if (!key && req.method === 'GET' && query.get('list-type') === '2') {
      const urlEncoded = /<EncodingType>url<\/EncodingType>/.test(body.toString('utf8'));
      text = body.toString('utf8').replace(/<Contents>([\s\S]*?)<\/Contents>/g, (block, inner: string) => {
        const raw = xmlText(/<Key>([\s\S]*?)<\/Key>/.exec(inner)?.[1] ?? '');
        const k = `/${bucket}/${urlEncoded ? safeDecode(raw) : raw}`;
        const ago = this.aged.get(k.slice(1));
        if (ago)
          block = block.replace(
            /<LastModified>([^<]*)<\/LastModified>/,
            (_, d: string) => `<LastModified>${new Date(Date.parse(d) - ago).toISOString()}</LastModified>`,
          );
        if (!this.kms) return block;
        return block.replace(
          /<ETag>([\s\S]*?)<\/ETag>/,
          (_, e: string) => `<ETag>&quot;${this.etagFor(k, xmlText(e), false)}&quot;</ETag>`,
        );
      });
    } else if (!this.kms) {
      return { headers: out, body };
    } else if (key && req.method === 'PUT' && plain) {
      const written = req.headers['x-amz-copy-source'] !== undefined;
      if (written) {
        text = body
          .toString('utf8')
          .replace(
            /<ETag>([\s\S]*?)<\/ETag>/,
            (_, e: string) => `<ETag>&quot;${this.etagFor(path, xmlText(e), true)}&quot;</ETag>`,
          );
      } else if (typeof headers.etag === 'string') out.etag = `"${this.etagFor(path, headers.etag, true)}"`;
    } else if (key && (req.method === 'GET' || req.method === 'HEAD') && plain) {
      if (typeof headers.etag === 'string') out.etag = `"${this.etagFor(path, headers.etag, false)}"`;
    }
    if (text === undefined) return { headers: out, body };
    const b = Buffer.from(text);
    out['content-length'] = String(b.length);
    return { headers: out, body: b };
  }

  /** The opaque ETag of the object at `path` whose moto ETag is `moto`: new on a write, else the one it was given. */
  private etagFor(path: string, moto: string, write: boolean): string {
    const m = moto.replace(/"/g, '');
    const known = this.opaque.get(path);
    if (!write && known?.moto === m) return known.etag;
    // Written behind the proxy's back (or never seen): still one stable value per object and content.
    const etag = createHash('md5')
      .update(`sse-kms\0${path}\0${m}\0${write ? ++this.writes : 0}`)
      .digest('hex');
    this.opaque.set(path, { moto: m, etag });
    return etag;
  }

  /** moto's ETag for an opaque one the proxy gave out (conditional requests), else the value as given. */
  private motoEtag(path: string, v: string): string {
    const known = this.opaque.get(path);
    return known && v.replace(/"/g, '') === known.etag ? `"${known.moto}"` : v;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

function matches(p: string | RegExp | undefined, path: string): boolean {
  if (p === undefined) return true;
  return typeof p === 'string' ? path.includes(p) : p.test(path);
}

/** The text of an XML element (the five predefined entities and numeric references). */
function xmlText(s: string): string {
  return s
    .replace(/&#(x?)([0-9a-fA-F]+);/g, (_, x: string, n: string) => String.fromCodePoint(parseInt(n, x ? 16 : 10)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
