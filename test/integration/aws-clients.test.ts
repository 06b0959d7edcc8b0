import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { GetContainerServicesCommand } from '@aws-sdk/client-lightsail';
import { cloudFrontClient, lightsailClient, s3Client } from '../../src/core/aws.js';
import { LightsailFake } from '../lab/lightsail-fake.js';
import { awsEnvFor } from '../lab/index.js';
import { motoUrl, uniqueName } from '../lab/shared.js';

describe('AWS client factory against the lab', () => {
  const fake = new LightsailFake();
  let env: Record<string, string>;
  beforeAll(async () => {
    env = awsEnvFor({ moto: motoUrl(), lightsail: await fake.start() });
    // Credentials come from the process environment, as in a workflow.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    });
  });
  afterAll(() => fake.stop());

  it('reaches moto_server through AWS_ENDPOINT_URL_S3 with path-style addressing', async () => {
    const s3 = s3Client(env);
    expect(await s3.config.forcePathStyle).toBe(true);
    const hosts: string[] = [];
    s3.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { hostname: string; path: string };
        hosts.push(`${req.hostname}${req.path}`);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    const bucket = uniqueName('client-test');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a b/ü.txt', Body: 'hello' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a b/ü.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    // Path-style: the bucket is in the path, the host is the emulator's.
    expect(hosts.every((h) => h.startsWith(`127.0.0.1/${bucket}`))).toBe(true);
  });

  it('reaches moto_server through the generic AWS_ENDPOINT_URL too', async () => {
    const { AWS_ENDPOINT_URL_S3: _s3, AWS_ENDPOINT_URL_CLOUDFRONT: _cf, ...rest } = env;
    const generic = { ...rest, AWS_ENDPOINT_URL: motoUrl() };
    const s3 = s3Client(generic);
    expect(await s3.config.forcePathStyle).toBe(true);
    await s3.send(new CreateBucketCommand({ Bucket: uniqueName('generic') }));
    const cf = await cloudFrontClient(generic).send(new ListDistributionsCommand({}));
    expect(cf.DistributionList).toBeDefined();
  });

  it('reaches the Lightsail fake through AWS_ENDPOINT_URL_LIGHTSAIL', async () => {
    await fake.createService('client-test-svc', { image: 'public.ecr.aws/x/api:1' });
    const out = await lightsailClient(env).send(new GetContainerServicesCommand({ serviceName: 'client-test-svc' }));
    expect(out.containerServices?.[0]?.state).toBe('RUNNING');
    expect(out.containerServices?.[0]?.currentDeployment?.version).toBe(1);
  });

  it('uses virtual-hosted S3 addressing when no endpoint is configured', async () => {
    const s3 = s3Client({ AWS_REGION: 'us-east-1' });
    expect(await s3.config.forcePathStyle).toBe(false);
  });
});
