import { createReadStream } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { HttpRequest, escapeUri } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { httpTimeoutSeconds, nameEndpoint } from '../core/aws.js';
import { SMALL_FILE_MAX, readSmall } from './small-files.js';

/**
 * The deploy's bulk requests, PutObject of every file and ListObjectsV2 of the bucket, without the SDK's per-request
 * middleware stack (serialization, endpoint rules, auth scheme selection, checksums, retries, XML deserialization),
 * which profiling showed to cost more CPU per file than everything else in a deploy (uploads) and most of an unchanged
 * redeploy's CPU (the listing's deserializer). What stays the SDK's: the endpoint (its own endpoint rules, once per
 * bucket and region: AWS_ENDPOINT_URL(_S3), path-style, FIPS/dual-stack), the credentials (the client's provider chain,
 * refreshed by it), the SigV4 signer, the User-Agent and the HTTP handler (keep-alive, connect/silence timeouts and the
 * request deadline of core/aws.ts). Errors take the SDK's shape (name = S3's error code, message unescaped,
 * `$metadata.httpStatusCode`, `$fault`), and network errors name the endpoint as the SDK clients' do, so retries
 * (retry.ts, by the caller) and messages stay the same. A 301 with `x-amz-bucket-region` (a bucket in another region)
 * is followed once, as the SDK's clients do.
 */
export interface PutRequest {
  bucket: string;
  key: string;
  /** The file to send (read whole up to 1 MiB, into a reused buffer; streamed above). */
  abs: string;
  size: number;
  md5: string;
  contentType: string;
  cacheControl: string;
}

interface Target {
  url: URL;
  signer: SignatureV4;
  /** The User-Agent the SDK's clients send (aws-sdk-js/…, os, runtime), with `shisha-ops` and the call's API. */
  userAgent: string;
}

/** One page of ListObjectsV2: the objects (what the deploy reads of them) and the token of the next page. */
export interface ListPage {
  objects: { Key: string; ETag: string; Size: number; LastModified: Date }[];
  next?: string;
  /** The answer's Date header (S3's clock, ms), when it has a valid one. */
  date?: number;
}

export class LeanPut {
  private readonly targets = new Map<string, Promise<Target | undefined>>();
  /** Buckets S3 redirected to another region (301): later uploads go there directly. */
  private readonly moved = new Map<string, string>();
  private readonly seconds = httpTimeoutSeconds();

  constructor(private readonly s3: S3Client) {}

  /** False when the bucket's endpoint needs another signer than SigV4 (S3 Express, multi-region access points). */
  async supports(bucket: string): Promise<boolean> {
    return (await this.target(bucket)) !== undefined;
  }

  /** One attempt (no retries: the caller retries with backoff). Returns the response's ETag. */
  async put(p: PutRequest): Promise<{ ETag?: string }> {
    const res = await this.request(p.bucket, (t) => this.send(t, p));
    return { ETag: res.headers.etag };
  }

  /**
   * One page of ListObjectsV2 (up to 1,000 keys; no retries: the caller retries with backoff). Keys, ETags and sizes
   * as the SDK's parser reads them (XML entities decoded).
   */
  async listPage(bucket: string, prefix: string, token?: string): Promise<ListPage> {
    const query: Record<string, string> = { 'list-type': '2' };
    if (prefix) query.prefix = prefix;
    if (token) query['continuation-token'] = token;
    const res = await this.request(bucket, (t) => this.sendBody(t, 'GET', '', query, {}, undefined));
    const date = Date.parse(res.headers.date ?? '');
    return { ...parseListPage(res.text), ...(Number.isFinite(date) ? { date } : {}) };
  }

  /** Sends to the bucket's endpoint; a 301 naming the bucket's region is followed once, as the SDK's clients do. */
  private async request(bucket: string, send: (t: Target) => Promise<Response>): Promise<Response> {
    const t = await this.target(bucket, this.moved.get(bucket));
    if (!t) throw new Error(`requests to ${bucket} need the SDK's signer`);
    const res = await send(t);
    const region = res.headers['x-amz-bucket-region'];
    if (res.statusCode === 301 && region) {
      const moved = await this.target(bucket, region);
      if (moved) {
        this.moved.set(bucket, region);
        return ok(await send(moved));
      }
    }
    return ok(res);
  }

  private target(bucket: string, region?: string): Promise<Target | undefined> {
    const id = `${bucket}\n${region ?? ''}`;
    let t = this.targets.get(id);
    if (!t) {
      t = this.resolve(bucket, region);
      this.targets.set(id, t);
      t.catch(() => this.targets.delete(id)); // a failed resolution (no region yet…) is tried again next time
    }
    return t;
  }

  private async resolve(bucket: string, region?: string): Promise<Target | undefined> {
    // A copy: the endpoint rules write into the config they are given (an endpoint from the shared config file).
    const config = region ? { ...this.s3.config, region: () => Promise.resolve(region) } : { ...this.s3.config };
    const ep = await getEndpointFromInstructions(
      { Bucket: bucket, Key: 'k' },
      PutObjectCommand as unknown as Parameters<typeof getEndpointFromInstructions>[1],
      config as unknown as Parameters<typeof getEndpointFromInstructions>[2],
    );
    const scheme = (
      ep.properties?.authSchemes as { name?: string; signingName?: string; signingRegion?: string }[]
    )?.[0];
    if (scheme?.name !== 'sigv4' || (ep.headers && Object.keys(ep.headers).length)) return undefined;
    const signer = new SignatureV4({
      credentials: this.s3.config.credentials,
      region: scheme.signingRegion ?? region ?? (await this.s3.config.region()),
      service: scheme.signingName ?? 's3',
      sha256: this.s3.config.sha256,
      uriEscapePath: false, // S3 keys are signed as sent
      applyChecksum: false,
    });
    const ua = await this.s3.config.defaultUserAgentProvider();
    const userAgent = [
      ...ua.map(([name, version]) => (version ? `${name}${name.includes('/') ? '#' : '/'}${version}` : name)),
      'lib/shisha-ops',
    ]
      .map((part) => part.replace(/[^!#$%&'*+\-.^_`|~\w/]/g, '-'))
      .join(' ');
    return { url: ep.url, signer, userAgent };
  }

  private async send(t: Target, p: PutRequest): Promise<Response> {
    const small = p.size <= SMALL_FILE_MAX ? readSmall(p.abs, p.size) : undefined;
    const stream = small ? undefined : createReadStream(p.abs);
    const size = small?.bytes.length ?? p.size;
    const headers = {
      'content-length': String(size),
      'content-md5': Buffer.from(p.md5, 'hex').toString('base64'),
      'content-type': p.contentType,
      'cache-control': p.cacheControl,
      // As the SDK does from 2 MiB: S3 can refuse on the headers (redirect, access, clock) before the body is sent.
      ...(size >= EXPECT_CONTINUE_FROM ? { expect: '100-continue' } : {}),
    };
    try {
      return await this.sendBody(t, 'PUT', p.key, {}, headers, small ? small.bytes : stream!);
    } finally {
      small?.release();
      stream?.destroy(); // closes the file also when signing or the request failed
    }
  }

  private async sendBody(
    t: Target,
    method: 'GET' | 'PUT',
    key: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body: Buffer | NodeJS.ReadableStream | undefined,
  ): Promise<Response> {
    const base = t.url.pathname.replace(/\/$/, '');
    const request = new HttpRequest({
      protocol: t.url.protocol,
      hostname: t.url.hostname,
      port: t.url.port ? Number(t.url.port) : undefined,
      method,
      path: `${base}/${key.split('/').map(escapeUri).join('/')}`,
      query,
      headers: {
        ...headers,
        host: t.url.host,
        'user-agent': t.userAgent,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', // a PUT's bytes are checked by S3 against Content-MD5
      },
      body,
    });
    const config = this.s3.config as { systemClockOffset?: number };
    const signed = await t.signer.sign(request, {
      signingDate: new Date(Date.now() + (config.systemClockOffset ?? 0)),
    });
    try {
      const { response } = await this.s3.config.requestHandler.handle(signed as HttpRequest, {});
      config.systemClockOffset = correctedOffset(response.headers, config.systemClockOffset ?? 0);
      const stream = response.body as NodeJS.ReadableStream | undefined;
      let text = '';
      if (stream) {
        stream.setEncoding?.('utf8');
        const keep = method === 'GET' || response.statusCode >= 300;
        for await (const chunk of stream) if (keep) text += chunk as string;
      }
      return { statusCode: response.statusCode, headers: response.headers, text };
    } catch (err) {
      throw nameEndpoint(err, request, this.seconds);
    }
  }
}

const EXPECT_CONTINUE_FROM = 2 * 1024 * 1024;
const SKEW_MS = 5 * 60_000;

/**
 * The clock correction the SDK's signer makes from every response (its getUpdatedSystemClockOffset): when S3's `Date`
 * is more than 5 minutes off this host's clock plus the current offset, the offset becomes the difference, so the
 * next signature (a retry of a RequestTimeTooSkewed, and every later upload) carries S3's time. Cached answers
 * (`Age`) do not count.
 */
export function correctedOffset(headers: Record<string, string>, offset: number, now = Date.now()): number {
  const server = Date.parse(headers.date ?? '');
  if (Number.isNaN(server) || headers.age !== undefined) return offset;
  return Math.abs(server - (now + offset)) > SKEW_MS ? server - now : offset;
}

interface Response {
  statusCode: number;
  headers: Record<string, string>;
  text: string;
}

/** A 2xx as it is; otherwise the error as the SDK would throw it (S3's code, message and status). */
function ok(res: Response): Response {
  if (res.statusCode >= 200 && res.statusCode < 300) return res;
  const tag = (name: string) => textOf(res.text, name);
  const code = tag('Code') ?? (res.statusCode === 404 ? 'NotFound' : 'UnknownError');
  const err = new Error(tag('Message') ?? code) as Error & {
    Code?: string;
    $fault: 'client' | 'server';
    $metadata: { httpStatusCode: number; requestId?: string; extendedRequestId?: string; attempts: number };
  };
  err.name = code;
  err.Code = code;
  err.$fault = res.statusCode >= 500 ? 'server' : 'client';
  err.$metadata = {
    httpStatusCode: res.statusCode,
    requestId: res.headers['x-amz-request-id'],
    extendedRequestId: res.headers['x-amz-id-2'],
    attempts: 1,
  };
  throw err;
}

/** The text of the first `<name>` element in `xml`, XML entities decoded; undefined without one. */
function textOf(xml: string, name: string): string | undefined {
  const open = xml.indexOf(`<${name}>`);
  if (open < 0) return undefined;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  return end < 0 ? undefined : decodeXml(xml.slice(start, end));
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's five named entities and numeric character references (`&#10;`, `&#x1F600;`), as an XML parser reads them. */
export function decodeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e] ?? m;
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/**
 * A ListObjectsV2 answer, read with string searches: per `<Contents>`, its Key, ETag, Size and LastModified. S3 sends
 * these elements without attributes or nested markup, so this reads what the SDK's XML parser reads, at a fraction of
 * its CPU and garbage (the SDK's deserializer was the largest CPU cost of an unchanged redeploy, profiled).
 */
export function parseListPage(xml: string): ListPage {
  const objects: ListPage['objects'] = [];
  for (let at = xml.indexOf('<Contents>'); at >= 0;) {
    const end = xml.indexOf('</Contents>', at);
    if (end < 0) throw new Error('ListObjectsV2 answered an unterminated <Contents> element');
    const item = xml.slice(at, end);
    const key = textOf(item, 'Key');
    if (key === undefined) throw new Error('ListObjectsV2 answered a <Contents> element without a <Key>');
    objects.push({
      Key: key,
      ETag: textOf(item, 'ETag') ?? '',
      Size: Number(textOf(item, 'Size') ?? 0),
      LastModified: new Date(textOf(item, 'LastModified') ?? 0),
    });
    at = xml.indexOf('<Contents>', end);
  }
  const truncated = textOf(xml, 'IsTruncated') === 'true';
  const next = truncated ? textOf(xml, 'NextContinuationToken') : undefined;
  if (truncated && !next) throw new Error('ListObjectsV2 answered a truncated page without a NextContinuationToken');
  return { objects, next };
}
