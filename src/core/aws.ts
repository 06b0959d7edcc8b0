import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { LightsailClient } from '@aws-sdk/client-lightsail';

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
}

function common(service: ServiceId, env: Env): CommonConfig {
  const cfg: CommonConfig = {};
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

/**
 * S3, with path-style addressing whenever an endpoint is configured (emulators, MinIO, tests). `extra` adds
 * client settings for a special-purpose client (e.g. checksum behaviour of an upload client).
 */
export function s3Client(env: Env = process.env, extra: Pick<S3ClientConfig, 'requestChecksumCalculation'> = {}): S3Client {
  const cfg = common('S3', env);
  return new S3Client({ ...cfg, forcePathStyle: Boolean(cfg.endpoint), ...extra });
}

/** CloudFront is global: its API lives in us-east-1 whatever AWS_REGION says. */
export function cloudFrontClient(env: Env = process.env): CloudFrontClient {
  return new CloudFrontClient({ ...common('CLOUDFRONT', env), region: 'us-east-1' });
}

/** Lightsail in AWS_REGION (the container service's region). */
export function lightsailClient(env: Env = process.env): LightsailClient {
  return new LightsailClient(common('LIGHTSAIL', env));
}
