/**
 * What infra/ creates in AWS, made in the lab instead: the SPA bucket, the backups bucket and a CloudFront
 * distribution in moto_server. Shared by the demo and `scripts/lab-serve.ts` (the CI workflow's stand-ins).
 */
import { CreateBucketCommand, PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { cloudFrontClient, s3Client } from '../../src/core/aws.js';

export interface LabResources {
  bucket: string;
  backupBucket: string;
  distributionId: string;
}

/** Creates the buckets (backups encrypted with AES-256 by default) and a distribution in front of the SPA bucket. */
export async function provisionAws(
  names = { bucket: 'shisha-log-prod-frontend', backupBucket: 'shisha-log-prod-db-backups' },
): Promise<LabResources> {
  const s3 = s3Client();
  await s3.send(new CreateBucketCommand({ Bucket: names.bucket }));
  await s3.send(new CreateBucketCommand({ Bucket: names.backupBucket }));
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: names.backupBucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    }),
  );
  const dist = await cloudFrontClient().send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: `lab-${Date.now()}`,
        Comment: 'Shisha Log (lab)',
        Enabled: true,
        DefaultRootObject: 'index.html',
        Origins: {
          Quantity: 1,
          Items: [
            { Id: 's3', DomainName: `${names.bucket}.s3.amazonaws.com`, S3OriginConfig: { OriginAccessIdentity: '' } },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 's3',
          ViewerProtocolPolicy: 'redirect-to-https',
          ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
          MinTTL: 0,
          TrustedSigners: { Enabled: false, Quantity: 0 },
        },
      },
    }),
  );
  return { ...names, distributionId: dist.Distribution?.Id ?? '' };
}
