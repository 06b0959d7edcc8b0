/**
 * `shisha-ops verify` against the local edge (the real routing function, moto's bucket, the Lightsail fake): passes
 * on a good deploy, fails on a broken asset and on a failing API, and waits (bounded) for the invalidation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { cloudFrontClient, s3Client } from '../../src/core/aws.js';
import { Edge } from '../lab/edge.js';
import { LightsailFake } from '../lab/lightsail-fake.js';
import { runCaptured } from '../lab/capture.js';
import { useLabAws } from '../lab/shared.js';
import { baseBuild, head, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { OPS_COMMANDS } from '../../src/ops/job.js';

const verify = (values: Record<string, string | number>) =>
  runCaptured((i, r) => OPS_COMMANDS.verify(i, r, { intervalMs: 50 }), values);

describe('verify', () => {
  let t: Target;
  let fake: LightsailFake;
  let edge: Edge;
  let sick: Edge;
  let firstId: string;

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('verify');
    const r = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(baseBuild()),
      bucket: t.bucket,
      'distribution-id': t.distributionId,
    });
    firstId = r.outputs.get('release-id') ?? '';
    fake = new LightsailFake({ activationMs: 50 });
    await fake.start();
    fake.setImage('public.ecr.aws/shisha/api:sick', { outcome: 'active', healthStatus: 500 });
    // The Lightsail container answers its health path (/health): the edge strips /api as the module can.
    const healthy = await fake.createService('api-ok', { image: 'public.ecr.aws/shisha/api:good' });
    const failing = await fake.createService('api-sick', { image: 'public.ecr.aws/shisha/api:sick' });
    edge = new Edge({ bucket: t.bucket, apiOrigin: healthy, stripApiPrefix: true, distributionId: t.distributionId });
    sick = new Edge({ bucket: t.bucket, apiOrigin: failing, stripApiPrefix: true });
    await edge.start();
    await sick.start();
  });
  afterAll(async () => {
    await edge?.stop();
    await sick?.stop();
    await fake?.stop();
  });

  it('passes on a good deploy: pages, every hashed asset of the release, the missing asset, the API', async () => {
    const r = await verify({ url: edge.url, bucket: t.bucket });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.get('failed')).toBe('0');
    expect(r.outputs.get('release-id')).toBe(firstId);
    expect(r.out).toMatch(/all 5 checks passed/);
    expect(r.out).toContain(`release ${firstId}`);
    expect(r.out).toMatch(/hashed assets \(3\)/);
  });

  it('without the bucket, checks the assets the live index.html references', async () => {
    const r = await verify({ url: edge.url });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/hashed assets \(1\)/);
  });

  it('without the bucket, fails an asset served with the wrong Content-Type', async () => {
    const key = 'assets/index-aaa111.js';
    const h = await head(t.bucket, key);
    await s3Client().send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: key,
        Body: 'console.log("v1")',
        ContentType: 'text/html',
        CacheControl: h.CacheControl,
      }),
    );
    try {
      const r = await verify({ url: sick.url }); // sick: no cache, so the edge serves the changed object
      expect(r.code).toBe(1);
      expect(r.out).toContain(`${key}: Content-Type 'text/html', expected 'text/javascript; charset=utf-8'`);
    } finally {
      await s3Client().send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: key,
          Body: 'console.log("v1")',
          ContentType: h.ContentType,
          CacheControl: h.CacheControl,
        }),
      );
    }
  });

  it('fails (exit 1) when the API is unhealthy, naming it', async () => {
    const r = await verify({ url: sick.url, bucket: t.bucket });
    expect(r.code).toBe(1);
    expect(r.outputs.get('failed')).toBe('1');
    expect(r.out).toMatch(/API health.*\/api\/health.*500.*✘.*expected 2xx, got HTTP 500/);
    expect(r.err).toMatch(/1 of 5 checks failed \(API health\)/);
  });

  it('fails when a hashed asset in the bucket is not what the release deployed', async () => {
    const h = await head(t.bucket, 'assets/style-ccc333.css');
    await s3Client().send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: 'assets/style-ccc333.css',
        Body: 'body{color:blue}',
        ContentType: h.ContentType,
        CacheControl: h.CacheControl,
      }),
    );
    try {
      const r = await verify({ url: sick.url, bucket: t.bucket });
      expect(r.code).toBe(1);
      expect(r.out).toContain('assets/style-ccc333.css: content differs from the release');
    } finally {
      await s3Client().send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: 'assets/style-ccc333.css',
          Body: 'body{color:red}',
          ContentType: h.ContentType,
          CacheControl: h.CacheControl,
        }),
      );
    }
  });

  it('waits for the invalidation, bounded: fails while the edge serves the old index.html, passes once invalidated', async () => {
    expect((await fetch(`${edge.url}/`)).headers.get('x-cache')).toBe('Hit from cloudfront');
    const v2 = {
      ...baseBuild(),
      'index.html': '<!doctype html><script src="/assets/index-ddd444.js"></script>',
      'assets/index-ddd444.js': 'console.log("v2")',
    };
    const d = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(v2),
      bucket: t.bucket,
      'distribution-id': t.distributionId,
      invalidate: false,
    });
    const secondId = d.outputs.get('release-id') ?? '';

    const stale = await verify({ url: edge.url, bucket: t.bucket, 'wait-seconds': 0 });
    expect(stale.code).toBe(1);
    expect(stale.out).toContain(`serves release ${firstId}, expected release ${secondId}`);

    // Verify starts waiting; the invalidation lands after its first look at the stale page.
    const seen = edge.log.length;
    const pending = verify({ url: edge.url, bucket: t.bucket, 'wait-seconds': 60 });
    while (!edge.log.slice(seen).some((l) => l.uri === '/')) await new Promise((r) => setTimeout(r, 20));
    await cloudFrontClient().send(
      new CreateInvalidationCommand({
        DistributionId: t.distributionId,
        InvalidationBatch: { CallerReference: `v-${Date.now()}`, Paths: { Quantity: 1, Items: ['/index.html'] } },
      }),
    );
    const r = await pending;
    expect(r.code).toBe(0);
    expect(r.out).toContain(`not ${secondId} yet: waiting up to 60s for the invalidation`);
    expect(r.outputs.get('release-id')).toBe(secondId);
  });

  it('rejects bad input before fetching anything (exit 2)', async () => {
    expect((await verify({ url: 'shisha.toof.jp' })).err).toContain("Input 'url': expected the site's URL");
    expect((await verify({ url: edge.url, 'deep-link': 'x' })).code).toBe(2);
    expect((await verify({ url: edge.url, 'release-id': 'nope', bucket: t.bucket })).code).toBe(2);
  });
});
