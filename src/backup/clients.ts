import type { S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../core/aws.js';

/** The AWS clients of the backup commands. */
export interface BackupClients {
  s3: S3Client;
}

/** The backup commands' clients, from the environment (core/aws.ts: endpoint variables, retries, timeouts). */
export function backupClients(env = process.env): BackupClients {
  return { s3: s3Client(env) };
}
