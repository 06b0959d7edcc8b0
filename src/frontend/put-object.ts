import { createReadStream } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import { HttpRequest, escapeUri } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { httpTimeoutSeconds, nameEndpoint } from '../core/aws.js';
import { SMALL_FILE_MAX, readSmall } from './small-files.js';

/**
 * The deploy's bulk PutObject without the SDK's per-request middleware stack (serialization, endpoint rules, auth
 * scheme selection, checksums, retries, XML deserialization), which profiling showed to cost more CPU per file than
 * everything else in a deploy. What stays the SDK's: the endpoint (its own endpoint rules, once per bucket and region:
 * AWS_ENDPOINT_URL(_S3), path-style, FIPS/dual-stack), the credentials (the client's provider chain, refreshed by
 * it), the SigV4 signer and the HTTP handler (keep-alive, connect/silence timeouts and the request deadline of
 * core/aws.ts). Errors take the SDK's shape (name = S3's error code, `$metadata.httpStatusCode`, `$fault`), and
 * network errors name the endpoint as the SDK clients' do, so retries (retry.ts) and messages stay the same.
 * A 301 with `x-amz-bucket-region` (a bucket in another region) is followed once, as the SDK's clients do.
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
    const t = await this.target(p.bucket, this.moved.get(p.bucket));
    if (!t) throw new Error(`PutObject to ${p.bucket} needs the SDK's signer`);
    const res = await this.send(t, p);
    const region = res.headers['x-amz-bucket-region'];
    if (res.statusCode === 301 && region) {
      const moved = await this.target(p.bucket, region);
      if (moved) {
        this.moved.set(p.bucket, region);
        return ok(await this.send(moved, p));
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
    return { url: ep.url, signer };
  }

  private async send(t: Target, p: PutRequest): Promise<Response> {
    const small = p.size <= SMALL_FILE_MAX ? readSmall(p.abs, p.size) : undefined;
    const stream = small ? undefined : createReadStream(p.abs);
    try {
      return await this.sendBody(t, p, small ? small.bytes : stream!, small?.bytes.length ?? p.size);
    } finally {
      small?.release();
      stream?.destroy(); // closes the file also when signing or the request failed
    }
  }

  private async sendBody(
    t: Target,
    p: PutRequest,
    body: Buffer | NodeJS.ReadableStream,
    size: number,
  ): Promise<Response> {
    const base = t.url.pathname.replace(/\/$/, '');
    const request = new HttpRequest({
      protocol: t.url.protocol,
      hostname: t.url.hostname,
      port: t.url.port ? Number(t.url.port) : undefined,
      method: 'PUT',
      path: `${base}/${p.key.split('/').map(escapeUri).join('/')}`,
      headers: {
        host: t.url.host,
        'content-length': String(size),
        'content-md5': Buffer.from(p.md5, 'hex').toString('base64'),
        'content-type': p.contentType,
        'cache-control': p.cacheControl,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', // the bytes are checked by S3 against Content-MD5
        // As the SDK does from 2 MiB: S3 can refuse on the headers (redirect, access, clock) before the body is sent.
        ...(size >= EXPECT_CONTINUE_FROM ? { expect: '100-continue' } : {}),
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
      const body = response.body as NodeJS.ReadableStream | undefined;
      let text = '';
      if (body) {
        body.setEncoding?.('utf8');
        for await (const chunk of body) if (response.statusCode >= 300) text += chunk as string;
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

/** The ETag of a 2xx; otherwise the error as the SDK would throw it (S3's code, message and status). */
function ok(res: Response): { ETag?: string } {
  if (res.statusCode >= 200 && res.statusCode < 300) return { ETag: res.headers.etag };
  const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(res.text)?.[1];
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
