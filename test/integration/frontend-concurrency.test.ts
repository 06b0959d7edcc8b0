/**
 * Issue #12 items 6 and 8: deploys that race each other, and sites that share a bucket, never prune what a live
 * index.html needs.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { deployFrontend } from '../../src/frontend/deploy.js';
import { withLock } from '../../src/frontend/coordination.js';
import { sleep } from '../../src/frontend/retry.js';
import { useLabAws } from '../lab/shared.js';
import { getText, listKeys, makeTarget, run, writeBuild, type Build } from './frontend-helpers.js';

/** A build whose index.html loads `n` chunks named after `tag`. */
function build(tag: string, n: number): Build {
  const b: Build = {};
  const scripts: string[] = [];
  for (let i = 0; i < n; i++) {
    const rel = `assets/${tag}-${i}.js`;
    b[rel] = `console.log(${JSON.stringify(`${tag} ${i}`)})`;
    scripts.push(`<script src="/${rel}"></script>`);
  }
  b['index.html'] = `<!doctype html>${scripts.join('')}`;
  return b;
}

/** The assets the live index.html of a site loads that are missing from the bucket. */
async function missingAssets(bucket: string, prefix = ''): Promise<string[]> {
  const html = await getText(bucket, `${prefix}index.html`);
  const keys = new Set(await listKeys(bucket));
  return [...html.matchAll(/src="\/([^"]+)"/g)].map((m) => `${prefix}${m[1]}`).filter((k) => !keys.has(k));
}

describe('two deploys racing on one bucket (keep-releases 1)', () => {
  beforeAll(() => useLabAws());

  // The slow deploy starts first; the fast one starts after each of these delays, while the slow one is uploading.
  it.each([100, 300, 500, 900])('a 5-file deploy %i ms after a 400-file deploy: the live index.html loads every chunk', async (delay) => {
    const t = await makeTarget('fe-race');
    const deploy = (b: Build) => run(deployFrontend, { 'source-dir': writeBuild(b), bucket: t.bucket, 'keep-releases': 1, concurrency: 4 });
    expect((await deploy(build('first', 3))).err).toBe('');
    const big = build('big', 400);
    const small = build('small', 4);
    const [a, b] = await Promise.all([deploy(big), sleep(delay).then(() => deploy(small))]);
    expect(a.err).toBe('');
    expect(b.err).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    // They overlapped (400 files take far longer than the delay): the one that finished first saw the other's marker.
    expect([a.all, b.all].some((text) => /another deploy is in progress \(.*\): pruning is left to it/.test(text))).toBe(true);
    expect(await missingAssets(t.bucket)).toEqual([]);
    // Whichever HTML won, the newest manifest describes it (rollback and the next deploy know the live release).
    const newest = (await listKeys(t.bucket)).filter((k) => /^_releases\/\d{8}T.*\.json$/.test(k)).sort().at(-1) ?? '';
    const manifest = JSON.parse(await getText(t.bucket, newest)) as { files: Record<string, { md5: string }> };
    expect(manifest.files['index.html']?.md5).toBe(createHash('md5').update(await getText(t.bucket, 'index.html')).digest('hex'));
    // And the next deploy, alone, prunes what the race left behind.
    const after = await deploy(small);
    expect(after.code).toBe(0);
    expect(await missingAssets(t.bucket)).toEqual([]);
    expect((await listKeys(t.bucket)).filter((k) => k.startsWith('assets/big-'))).toEqual([]);
  });

  it('a deploy that finds another deploy in progress leaves pruning to it; a crashed one blocks pruning only for its lease', async () => {
    const t = await makeTarget('fe-lease');
    const deploy = (b: Build) => run(deployFrontend, { 'source-dir': writeBuild(b), bucket: t.bucket, 'keep-releases': 1 });
    expect((await deploy(build('one', 2))).code).toBe(0);
    const s3 = s3Client();
    const put = (Key: string, body: object) => s3.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: JSON.stringify(body) }));
    // Another deploy's marker with a live lease: it may rely on any object, so this deploy must not prune.
    await put('_releases/running/other-run.json', { owner: 'ci-host pid 1', expiresAt: new Date(Date.now() + 600_000).toISOString() });
    const r = await deploy(build('two', 2));
    expect(r.code).toBe(0);
    expect(r.all).toMatch(/another deploy is in progress \(ci-host pid 1\): pruning is left to it/);
    expect(await listKeys(t.bucket)).toEqual(expect.arrayContaining(['assets/one-0.js', 'assets/two-0.js']));
    // A crashed deploy's marker and a prune lock whose holder died, both past their lease: neither blocks.
    await put('_releases/running/other-run.json', { owner: 'ci-host pid 1', expiresAt: new Date(Date.now() - 1000).toISOString() });
    await put('_releases/lock.json', { owner: 'ci-host pid 2', expiresAt: new Date(Date.now() - 1000).toISOString() });
    const r2 = await deploy(build('three', 2));
    expect(r2.err).toBe('');
    const keys = await listKeys(t.bucket);
    expect(keys.filter((k) => /^assets\/(one|two)-/.test(k))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('_releases/running/') || k === '_releases/lock.json')).toEqual([]);
  });
});

describe('a redeploy that changes nothing (issue #17)', () => {
  beforeAll(() => useLabAws());

  it('writes nothing to the bucket: no deploy marker, no lock (a versioned bucket keeps every write)', async () => {
    const t = await makeTarget('fe-noop');
    const s3 = s3Client();
    await s3.send(new PutBucketVersioningCommand({ Bucket: t.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const dir = writeBuild(build('same', 3));
    const deploy = () => run(deployFrontend, { 'source-dir': dir, bucket: t.bucket });
    expect((await deploy()).code).toBe(0);
    const versions = async () => {
      const res = await s3.send(new ListObjectVersionsCommand({ Bucket: t.bucket }));
      return [...(res.Versions ?? []), ...(res.DeleteMarkers ?? [])].map((v) => `${v.Key} ${v.VersionId}`).sort();
    };
    const before = await versions();
    const r = await deploy();
    expect(r.code).toBe(0);
    expect(r.all).toMatch(/nothing changed: release .* keeps serving/);
    expect(await versions()).toEqual(before);
  });
});

describe('the publish/prune lock (S3 conditional writes)', () => {
  beforeAll(() => useLabAws());

  it('of two processes taking it at once exactly one holds it; the other waits or steps aside', async () => {
    const t = await makeTarget('fe-lock');
    const s3 = s3Client();
    const held: string[] = [];
    const take = (name: string, wait: boolean) =>
      withLock(s3, t.bucket, '', { wait }, async () => {
        held.push(`${name} in`);
        await sleep(300);
        held.push(`${name} out`);
      });
    const [a, b] = await Promise.all([take('a', false), take('b', false)]);
    expect([a, b].filter((r) => 'heldBy' in r)).toHaveLength(1);
    expect(held).toHaveLength(2);
    held.length = 0;
    await Promise.all([take('c', true), take('d', true)]);
    // Never two inside at once: each "in" is followed by its own "out".
    expect(held.map((h) => h.split(' ')[1])).toEqual(['in', 'out', 'in', 'out']);
    expect(await listKeys(t.bucket)).toEqual([]);
  });
});

describe('several sites in one bucket', () => {
  beforeAll(() => useLabAws());

  it('root deploys with keep-releases 1 never prune a site under a prefix (its own _releases/)', async () => {
    const t = await makeTarget('fe-nest');
    const staging = await run(deployFrontend, { 'source-dir': writeBuild(build('staging', 3)), bucket: t.bucket, prefix: 'staging/', 'keep-releases': 1 });
    expect(staging.code).toBe(0);
    const stagingKeys = (await listKeys(t.bucket)).filter((k) => k.startsWith('staging/'));
    expect(stagingKeys).toEqual(expect.arrayContaining(['staging/index.html', 'staging/assets/staging-0.js']));
    for (const n of [1, 2, 3]) {
      const r = await run(deployFrontend, { 'source-dir': writeBuild(build(`root${n}`, 2)), bucket: t.bucket, 'keep-releases': 1 });
      expect(r.err).toBe('');
    }
    expect((await listKeys(t.bucket)).filter((k) => k.startsWith('staging/'))).toEqual(stagingKeys);
    expect(await missingAssets(t.bucket, 'staging/')).toEqual([]);
    expect((await listKeys(t.bucket)).filter((k) => k.startsWith('assets/root1-'))).toEqual([]);
  });
});
