import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { LightsailClient } from '@aws-sdk/client-lightsail';
import { DeadlineError, DeadlineHttpHandler } from './deadline-handler.js';

/** The SDK's service ids as used in the endpoint variables (`AWS_ENDPOINT_URL_<ID>`). */
export type ServiceId = 'S3' | 'CLOUDFRONT' | 'LIGHTSAIL';

type Env = Record<string, string | undefined>;

/**
 * The endpoint the SDK would use for a service from the standard variables: `AWS_ENDPOINT_URL_<SERVICE>` first,
 * then `AWS_ENDPOINT_URL`; none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true.
 */
export function configuredEndpoint(service: ServiceId, env: Env = process.env): string | undefined {
  if ((env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '').toLowerCase() === 'true') return undefined;
  return env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL || undefined;
}

interface CommonConfig {
  endpoint?: string;
  region?: string;
  maxAttempts?: number;
  retryMode?: string;
  requestHandler: DeadlineHttpHandler;
}

/** Seconds of silence after which a request fails (and is retried): `SHISHA_OPS_HTTP_TIMEOUT_SECONDS`, default 30. */
export function httpTimeoutSeconds(env: Env = process.env): number {
  const n = Number(env.SHISHA_OPS_HTTP_TIMEOUT_SECONDS);
  return Number.isFinite(n) && n > 0 ? n : 30;
}

function common(service: ServiceId, env: Env): CommonConfig {
  // No request may hang: 10 s (at most the silence timeout) to connect, then at most `silence` seconds without a byte
  // either way, and a deadline on each attempt of 4 × silence plus its bytes at a minimal rate (so a trickling server
  // fails too, while a large transfer that moves is not cut). With the retries below, a dead or trickling endpoint
  // fails within about 5 × (deadline + backoff).
  const silence = httpTimeoutSeconds(env) * 1000;
  const handler = new DeadlineHttpHandler(
    { connectionTimeout: Math.min(10_000, silence), socketTimeout: silence },
    4 * silence,
  );
  const cfg: CommonConfig = { requestHandler: handler };
  const endpoint = configuredEndpoint(service, env);
  if (endpoint) cfg.endpoint = endpoint;
  // Region from AWS_REGION / AWS_DEFAULT_REGION; otherwise the SDK's own chain (shared config files).
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) cfg.region = region;
  // Standard retries with backoff for throttling, 5xx and connection resets, unless the user chose otherwise.
  if (!env.AWS_MAX_ATTEMPTS) cfg.maxAttempts = 5;
  if (!env.AWS_RETRY_MODE) cfg.retryMode = 'standard';
  return cfg;
}

type Stack = {
  middlewareStack: { add(mw: unknown, opts: { step: 'deserialize'; name: string; override?: boolean }): void };
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT']);

/**
 * Network failures name the endpoint they failed on ("no answer from http://host:port within 30 s"): with a
 * configured endpoint (or a wrong region) the SDK's own messages do not say where it tried. Error names and codes stay
 * as they are, so the SDK's retry decisions do not change.
 */
function nameEndpointInErrors<T extends Stack>(client: T, env: Env): T {
  const seconds = httpTimeoutSeconds(env);
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: { request?: RequestPlace }) => {
      try {
        return await next(args);
      } catch (err) {
        throw nameEndpoint(err, args.request, seconds);
      }
    },
    { step: 'deserialize', name: 'shishaOpsEndpointInErrors', override: true },
  );
  return client;
}

type RequestPlace = { protocol?: string; hostname?: string; port?: number };

/** The message change of nameEndpointInErrors, for a request sent without the SDK's stack (frontend/put-object.ts). */
export function nameEndpoint(err: unknown, r: RequestPlace | undefined, seconds: number): unknown {
  const e = err as Error & { code?: string };
  if (
    r?.hostname &&
    e instanceof Error &&
    !(e instanceof DeadlineError) &&
    !e.message.startsWith('no answer from') &&
    !e.message.startsWith('cannot reach')
  ) {
    const where = `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
    if (e.name === 'TimeoutError')
      e.message = `no answer from ${where} within ${seconds} s (${e.message.replace(/^@smithy\/node-http-handler - /, '')})`;
    else if (e.code && NETWORK_CODES.has(e.code)) e.message = `cannot reach ${where}: ${e.code}`;
  }
  return err;
}

/**
 * S3, with path-style addressing whenever an endpoint is configured (emulators, MinIO, tests), following S3's region
 * redirects (301 with `x-amz-bucket-region`): a job's AWS_REGION may be another than the bucket's (deploy.yml's
 * backend job runs in us-east-1 for the ECR Public login, and reads the deploy lock in the SPA bucket). `extra` adds
 * client settings for a special-purpose client (e.g. checksum behaviour of an upload client).
 */
export function s3Client(
  env: Env = process.env,
  extra: Pick<S3ClientConfig, 'requestChecksumCalculation'> = {},
): S3Client {
  const cfg = common('S3', env);
  return nameEndpointInErrors(
    new S3Client({ ...cfg, forcePathStyle: Boolean(cfg.endpoint), followRegionRedirects: true, ...extra }),
    env,
  );
}

/** CloudFront is global: its API lives in us-east-1 whatever AWS_REGION says. */
export function cloudFrontClient(env: Env = process.env): CloudFrontClient {
  return nameEndpointInErrors(new CloudFrontClient({ ...common('CLOUDFRONT', env), region: 'us-east-1' }), env);
}

/** Lightsail in AWS_REGION (the container service's region). */
export function lightsailClient(env: Env = process.env): LightsailClient {
  return nameEndpointInErrors(new LightsailClient(common('LIGHTSAIL', env)), env);
}
