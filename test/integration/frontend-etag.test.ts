/**
 * Issue #16: content identity that does not rely on ETag = MD5. With SSE-KMS default encryption (or multipart
 * uploads) S3's ETag is not the MD5 of the object; moto answers the MD5 anyway, so these tests go through the fault
 * proxy answering ETags as S3 does for SSE-KMS objects (opaque, new on every write, the same in listings and HEAD).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import type { Manifest } from '../../src/frontend/releases.js';
import { OPS_COMMANDS } from '../../src/ops/job.js';
import { runCaptured } from '../lab/capture.js';
import { Edge } from '../lab/edge.js';
import { FaultProxy } from '../lab/fault-proxy.js';
import { LightsailFake } from '../lab/lightsail-fake.js';
import { motoUrl, useLabAws } from '../lab/shared.js';
import {
  getText,
  head,
  makeTarget,
  rollbackFrontend,
  run,
  writeBuild,
  type Build,
  type Target,
} from './frontend-helpers.js';

/** Release n: its own entry chunk, a shared vendor chunk, an index.html pointing at the entry chunk, a text file. */
const release = (n: number): Build => ({
  'index.html': `<!doctype html><script type="module" src="/assets/entry-${n}.js"></script>`,
  [`assets/entry-${n}.js`]: `console.log(${n})`,
  'assets/vendor-shared.js': 'export const v = 1',
  'about.txt': `release ${n}`,
});

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const unquoted = (e: string | undefined) => (e ?? '').replace(/"/g, '');

async function manifest(bucket: string, id: string): Promise<Manifest> {
  return JSON.parse(await getText(bucket, `_releases/${id}.json`)) as Manifest;
}

async function listedEtag(bucket: string, key: string): Promise<string> {
  const page = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
  return unquoted(page.Contents?.find((o) => o.Key === key)?.ETag);
}

describe('frontend on a bucket whose ETags are not MD5s (SSE-KMS, through the proxy)', () => {
  let t: Target;
  let proxy: FaultProxy;
  const ids: string[] = [];
  const deploy = (n: number, extra: Record<string, string> = {}) =>
    run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(release(n)), bucket: t.bucket, ...extra });
  const writes = () => proxy.seen.filter((s) => s.method !== 'GET' && s.method !== 'HEAD');

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-kms');
    proxy = new FaultProxy(motoUrl()).sseKmsEtags();
    process.env.AWS_ENDPOINT_URL_S3 = await proxy.start();
  });
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_S3 = motoUrl();
    await proxy.stop();
  });

  it('the stand-in: ETags are not the MD5, new on every write of the same bytes, the same in listings and HEAD', async () => {
    const put = () => s3Client().send(new PutObjectCommand({ Bucket: t.bucket, Key: 'probe.txt', Body: 'same bytes' }));
    const first = unquoted((await put()).ETag);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(first).not.toBe(md5('same bytes'));
    const second = unquoted((await put()).ETag);
    expect(second).not.toBe(first);
    expect(unquoted((await head(t.bucket, 'probe.txt')).ETag)).toBe(second);
    expect(await listedEtag(t.bucket, 'probe.txt')).toBe(second);
  });

  it('records each object’s ETag in the manifest; an unchanged redeploy uploads nothing and writes nothing', async () => {
    const first = await deploy(1);
    expect(first.err).toBe('');
    expect(first.outputs.get('uploaded')).toBe('4');
    ids.push(first.outputs.get('release-id') ?? '');
    const m = await manifest(t.bucket, ids[0]!);
    expect(m.files['index.html']?.etag).toBe(await listedEtag(t.bucket, 'index.html'));
    expect(m.files['index.html']?.etag).not.toBe(m.files['index.html']?.md5);

    proxy.clear();
    const again = await deploy(1);
    expect(again.err).toBe('');
    expect(again.outputs.get('uploaded')).toBe('0');
    expect(again.outputs.get('copied')).toBe('0');
    expect(again.outputs.get('unchanged')).toBe('4');
    expect(again.outputs.get('release-id')).toBe(ids[0]);
    expect(writes()).toEqual([]); // no upload, no marker, no lock, no manifest
  });

  it('a changed build uploads only what changed; a header change is a copy whose new ETag is recorded', async () => {
    const second = await deploy(2);
    expect(second.err).toBe('');
    // index.html and about.txt changed, entry-2.js is new; the shared vendor chunk is left alone.
    expect(second.outputs.get('uploaded')).toBe('3');
    expect(second.outputs.get('unchanged')).toBe('1');
    ids.push(second.outputs.get('release-id') ?? '');

    const rules = { 'cache-rules': 'about.txt: no-cache' };
    const headers = await deploy(2, rules);
    expect(headers.outputs.get('uploaded')).toBe('0');
    expect(headers.outputs.get('copied')).toBe('1');
    ids.push(headers.outputs.get('release-id') ?? '');
    const m = await manifest(t.bucket, ids[2]!);
    expect(m.files['about.txt']?.etag).toBe(await listedEtag(t.bucket, 'about.txt'));

    const again = await deploy(2, rules);
    expect(again.outputs.get('uploaded')).toBe('0');
    expect(again.outputs.get('copied')).toBe('0');
    expect(again.outputs.get('release-id')).toBe(ids[2]);
  });

  it('rollback accepts the objects whose ETag its manifests recorded, and records the ETags of its copies', async () => {
    const r = await run(rollbackFrontend, { bucket: t.bucket, 'release-id': ids[0]! });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await getText(t.bucket, 'index.html')).toContain('entry-1.js');
    expect(await getText(t.bucket, 'about.txt')).toBe('release 1');
    const current = await manifest(t.bucket, r.outputs.get('release-id') ?? '');
    for (const rel of ['index.html', 'about.txt', 'assets/entry-1.js'])
      expect(current.files[rel]?.etag).toBe(await listedEtag(t.bucket, rel));
    // So a deploy of the restored build finds everything in place.
    const d = await deploy(1);
    expect(d.err).toBe('');
    expect(d.outputs.get('uploaded')).toBe('0');
    expect(d.outputs.get('copied')).toBe('0');
  });

  it('ops verify passes through the edge reading the bucket through the proxy', async () => {
    const fake = new LightsailFake({ activationMs: 50 });
    await fake.start();
    const api = await fake.createService('api-kms', { image: 'public.ecr.aws/shisha/api:good' });
    const edge = new Edge({ bucket: t.bucket, apiOrigin: api, stripApiPrefix: true });
    await edge.start();
    try {
      const v = await runCaptured((i, rep) => OPS_COMMANDS.verify(i, rep, { intervalMs: 50 }), {
        url: edge.url,
        bucket: t.bucket,
      });
      expect(v.err).toBe('');
      expect(v.code).toBe(0);
      expect(v.out).toMatch(/all 5 checks passed/);
    } finally {
      await edge.stop();
      await fake.stop();
    }
  });

  it('a manifest without ETags (written before they were recorded) costs one full upload, then none', async () => {
    const current =
      (
        await run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(release(1)), bucket: t.bucket, 'dry-run': true })
      ).outputs.get('release-id') ?? '';
    const m = await manifest(t.bucket, current);
    for (const f of Object.values(m.files)) delete f.etag;
    await s3Client().send(
      new PutObjectCommand({ Bucket: t.bucket, Key: `_releases/${current}.json`, Body: JSON.stringify(m) }),
    );
    const full = await deploy(1);
    expect(full.err).toBe('');
    expect(full.outputs.get('uploaded')).toBe('4'); // nothing proves the content: uploaded again, as before
    const none = await deploy(1);
    expect(none.outputs.get('uploaded')).toBe('0');
  });
});

describe('manifests without ETags on a bucket whose ETags are MD5s', () => {
  it('keep working: the listed ETag is compared as the MD5', async () => {
    useLabAws();
    const t = await makeTarget('fe-noetag');
    const dir = writeBuild(release(1));
    const first = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir, bucket: t.bucket });
    const id = first.outputs.get('release-id') ?? '';
    const m = await manifest(t.bucket, id);
    for (const f of Object.values(m.files)) delete f.etag;
    await s3Client().send(
      new PutObjectCommand({ Bucket: t.bucket, Key: `_releases/${id}.json`, Body: JSON.stringify(m) }),
    );
    const again = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir, bucket: t.bucket });
    expect(again.err).toBe('');
    expect(again.outputs.get('uploaded')).toBe('0');
    expect(again.outputs.get('release-id')).toBe(id);
  });
});
