/** Shared by the frontend integration tests: builds on disk, a bucket + distribution in moto, a captured run. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateDistributionCommand,
  ListInvalidationsCommand,
  GetInvalidationCommand,
} from '@aws-sdk/client-cloudfront';
import { cloudFrontClient, s3Client } from '../../src/core/aws.js';
import { listObjects } from '../../src/core/s3.js';
import type { InputSource } from '../../src/core/inputs.js';
import type { Reporter } from '../../src/core/reporter.js';
import { uniqueName } from '../lab/shared.js';
import { runCaptured, type CapturedRun } from '../lab/capture.js';
import { command } from '../../src/core/command.js';
import { frontendClients } from '../../src/frontend/clients.js';
import {
  FRONTEND_ROLLBACK_OUTPUTS,
  parseFrontendReleaseInputs,
  rollbackFrontend as rollbackRelease,
} from '../../src/frontend/rollback.js';

export type Build = Record<string, string | Buffer>;

/** Writes a build into a fresh temp dir (or over `dir`, removing what was there). */
export function writeBuild(files: Build, dir?: string): string {
  const root = dir ?? mkdtempSync(path.join(os.tmpdir(), 'fe-build-'));
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const later = new Date(Date.now() + 60000);
  for (const [rel, body] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, body);
    utimesSync(abs, later, later); // a fresh build: every file newer than what the bucket holds
  }
  return root;
}

export const baseBuild = (): Build => ({
  'index.html': '<!doctype html><script src="/assets/index-aaa111.js"></script>',
  'assets/index-aaa111.js': 'console.log("v1")',
  'assets/vendor-bbb222.js': 'export const vendor = 1',
  'assets/style-ccc333.css': 'body{color:red}',
  'favicon.ico': Buffer.from([0, 0, 1, 0]),
  'robots.txt': 'User-agent: *',
  'manifest.webmanifest': '{"name":"Shisha"}',
});

export interface Target {
  bucket: string;
  distributionId: string;
}

export async function makeTarget(prefix = 'fe'): Promise<Target> {
  const bucket = uniqueName(prefix);
  await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  const d = await cloudFrontClient().send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: bucket,
        Comment: 'test',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [{ Id: 's3', DomainName: `${bucket}.s3.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } }],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 's3',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
        },
      },
    }),
  );
  return { bucket, distributionId: d.Distribution?.Id ?? '' };
}

export type RunResult = CapturedRun;

/** Runs a core job as the CLI would (terminal reporter, exit code), capturing what it prints. */
export const run = (
  job: (inputs: InputSource, r: Reporter) => Promise<unknown>,
  values: Record<string, string | number | boolean | undefined>,
): Promise<RunResult> => runCaptured(job, values);

export async function listKeys(bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of listObjects(s3Client(), bucket, '')) keys.push(o.Key ?? '');
  return keys.sort();
}

export async function head(bucket: string, key: string) {
  return s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

export async function getText(bucket: string, key: string): Promise<string> {
  const res = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await res.Body?.transformToString()) ?? '';
}

export async function invalidations(distributionId: string): Promise<string[][]> {
  const cf = cloudFrontClient();
  const list = await cf.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
  const out: string[][] = [];
  for (const i of list.InvalidationList?.Items ?? []) {
    const g = await cf.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: i.Id }));
    out.push(g.Invalidation?.InvalidationBatch?.Paths?.Items ?? []);
  }
  return out;
}

/** The release rollback without the deploy lock (what `frontend rollback --no-lock` runs), as a command. */
export const rollbackFrontend = command({
  parse: parseFrontendReleaseInputs,
  clients: () => frontendClients(),
  run: rollbackRelease,
  outputs: FRONTEND_ROLLBACK_OUTPUTS,
});
