import type { LightsailClient } from '@aws-sdk/client-lightsail';
import type { S3Client } from '@aws-sdk/client-s3';
import { lightsailClient, s3Client } from '../core/aws.js';

/** The AWS clients of the backend commands: Lightsail, and S3 for the deploy lock in the frontend bucket. */
export interface BackendClients {
  lightsail: LightsailClient;
  s3: S3Client;
}

/**
 * The backend commands' clients. Lightsail in `region` (the command's `region` input, see getRegion), else in
 * AWS_REGION: explicit, because a job that also logs in to ECR Public (us-east-1) has AWS_REGION overwritten for its
 * later steps.
 */
export function backendClients(inputs: { region?: string } = {}, env = process.env): BackendClients {
  return {
    lightsail: lightsailClient(inputs.region ? { ...env, AWS_REGION: inputs.region } : env),
    s3: s3Client(env),
  };
}
