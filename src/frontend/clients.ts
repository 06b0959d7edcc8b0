import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import { cloudFrontClient, s3Client } from '../core/aws.js';

/** The AWS clients of the frontend commands. */
export interface FrontendClients {
  s3: S3Client;
  /** Without SDK retries, for streamed uploads (retried by uploadFile with a fresh stream). */
  s3Upload: S3Client;
  cf: Pick<CloudFrontClient, 'send'>;
}

/** The frontend commands' clients, from the environment (core/aws.ts: endpoint variables, retries, timeouts). */
export function frontendClients(env = process.env): FrontendClients {
  // Uploads stream from disk, so the SDK cannot resend them: that client does not retry, uploadFile does.
  // Integrity of uploads comes from Content-MD5 (S3 checks it; the manifest records the ETag S3 answers);
  // the SDK's default extra CRC32 would switch streamed bodies to aws-chunked encoding for no gain.
  const s3Upload = s3Client({ ...env, AWS_MAX_ATTEMPTS: '1' }, { requestChecksumCalculation: 'WHEN_REQUIRED' });
  return { s3: s3Client(env), s3Upload, cf: cloudFrontClient(env) };
}
