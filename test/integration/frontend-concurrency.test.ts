/**
 * Issue #12 items 6 and 8: deploys that race each other, and sites that share a bucket, never prune what a live
 * index.html needs.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { withLock } from '../../src/frontend/coordination.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { useLabAws } from '../lab/shared.js';
import { useFaultProxy } from '../lab/use-fault-proxy.js';
import { getText, listKeys, makeTarget, run, writeBuild, type Build } from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { rollbackFrontend } from './frontend-helpers.js';

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
  // The slow deploy's uploads are held back 25 ms each (400 files, 4 at a time: at least 2.5 s), so it is still
  // uploading when the fast one starts and ends, however fast the machine and the engine are.
  useFaultProxy().slow({ method: 'PUT', path: /\/assets\/big-/, ms: 25 });

  // The slow deploy starts first; the fast one starts after each of these delays, while the slow one is uploading.
  it.each([100, 300, 500, 900])(
    'a 5-file deploy %i ms after a 400-file deploy: the live index.html loads every chunk',
    async (delay) => {
      const t = await makeTarget('fe-race');
      const deploy = (b: Build) =>
        run(FRONTEND_COMMANDS.deploy, {
          'source-dir': writeBuild(b),
          bucket: t.bucket,
          'keep-releases': 1,
          'keep-days': 0,
          concurrency: 4,
        });
      expect((await deploy(build('first', 3))).err).toBe('');
      const big = build('big', 400);
      const small = build('small', 4);
      const [a, b] = await Promise.all([deploy(big), sleep(delay).then(() => deploy(small))]);
      expect(a.err).toBe('');
      expect(b.err).toBe('');
      expect([a.code, b.code]).toEqual([0, 0]);
      // They overlapped (the slow deploy's uploads take at least 2.5 s): the one that finished first saw the other's
      // marker.
      expect(
        [a.all, b.all].some((text) => /another deploy is in progress \(.*\): pruning is left to it/.test(text)),
      ).toBe(true);
      expect(await missingAssets(t.bucket)).toEqual([]);
      // Whichever HTML won, the newest manifest describes it (rollback and the next deploy know the live release).
      const newest =
        (await listKeys(t.bucket))
          .filter((k) => /^_releases\/\d{8}T.*\.json$/.test(k))
          .sort()
          .at(-1) ?? '';
      const manifest = JSON.parse(await getText(t.bucket, newest)) as { files: Record<string, { md5: string }> };
      expect(manifest.files['index.html']?.md5).toBe(
        createHash('md5')
          .update(await getText(t.bucket, 'index.html'))
          .digest('hex'),
      );
      // And the next deploy, alone, prunes what the race left behind.
      const after = await deploy(small);
      expect(after.code).toBe(0);
      expect(await missingAssets(t.bucket)).toEqual([]);
      expect((await listKeys(t.bucket)).filter((k) => k.startsWith('assets/big-'))).toEqual([]);
    },
  );

  it('a deploy that finds another deploy in progress leaves pruning to it; a crashed one blocks pruning only for its lease', async () => {
    const t = await makeTarget('fe-lease');
    const deploy = (b: Build) =>
      run(FRONTEND_COMMANDS.deploy, {
        'source-dir': writeBuild(b),
        bucket: t.bucket,
        'keep-releases': 1,
        'keep-days': 0,
      });
    expect((await deploy(build('one', 2))).code).toBe(0);
    const s3 = s3Client();
    const put = (Key: string, body: object) =>
      s3.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: JSON.stringify(body) }));
    // Another deploy's marker with a live lease: it may rely on any object, so this deploy must not prune.
    await put('_releases/running/other-run.json', {
      owner: 'ci-host pid 1',
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const r = await deploy(build('two', 2));
    expect(r.code).toBe(0);
    expect(r.all).toMatch(/another deploy is in progress \(ci-host pid 1\): pruning is left to it/);
    expect(await listKeys(t.bucket)).toEqual(expect.arrayContaining(['assets/one-0.js', 'assets/two-0.js']));
    // A crashed deploy's marker and a prune lock whose holder died, both past their lease: neither blocks.
    await put('_releases/running/other-run.json', {
      owner: 'ci-host pid 1',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    await put('_releases/lock.json', { owner: 'ci-host pid 2', expiresAt: new Date(Date.now() - 1000).toISOString() });
    const r2 = await deploy(build('three', 2));
    expect(r2.err).toBe('');
    const keys = await listKeys(t.bucket);
    expect(keys.filter((k) => /^assets\/(one|two)-/.test(k))).toEqual([]);
    expect(keys.filter((k) => k.startsWith('_releases/running/') || k === '_releases/lock.json')).toEqual([]);
  });
});

/** Makes this process's clock run `ms` ahead (what a machine with a wrong clock does); S3's clock stays right. */
function skewClock(ms: number): void {
  const real = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => real() + ms);
}

describe("leases are judged by S3's clock (review of #12, finding 1)", () => {
  beforeAll(() => useLabAws());
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('a deploy from a machine whose clock runs 11 min fast leaves pruning to a deploy in progress', async () => {
    const t = await makeTarget('fe-skew');
    const deploy = (b: Build) =>
      run(FRONTEND_COMMANDS.deploy, {
        'source-dir': writeBuild(b),
        bucket: t.bucket,
        'keep-releases': 1,
        'keep-days': 0,
      });
    expect((await deploy(build('one', 2))).code).toBe(0);
    const s3 = s3Client();
    // A deploy in progress on a machine with a right clock: its marker has a 10-minute lease.
    const lease = { owner: 'ci-host pid 1', expiresAt: new Date(Date.now() + 600_000).toISOString(), leaseMs: 600_000 };
    await s3.send(
      new PutObjectCommand({ Bucket: t.bucket, Key: '_releases/running/other-run.json', Body: JSON.stringify(lease) }),
    );
    skewClock(11 * 60_000);
    const r = await deploy(build('two', 2));
    expect(r.code).toBe(0);
    expect(r.all).toMatch(/another deploy is in progress \(ci-host pid 1\): pruning is left to it/);
    expect(await listKeys(t.bucket)).toEqual(
      expect.arrayContaining(['assets/one-0.js', '_releases/running/other-run.json']),
    );
  });

  it('a held lock is not broken by a process whose clock runs 3 min fast', async () => {
    const t = await makeTarget('fe-skew-lock');
    const s3 = s3Client();
    const inner = await withLock(s3, t.bucket, '', { wait: false }, async () => {
      skewClock(3 * 60_000);
      return withLock(s3, t.bucket, '', { wait: false }, async () => 'took it');
    });
    expect(inner).toEqual({ value: { heldBy: expect.stringContaining('pid') } });
  });
});

describe('a redeploy that changes nothing (issue #17)', () => {
  beforeAll(() => useLabAws());

  it('writes nothing to the bucket: no deploy marker, no lock (a versioned bucket keeps every write)', async () => {
    const t = await makeTarget('fe-noop');
    const s3 = s3Client();
    await s3.send(new PutBucketVersioningCommand({ Bucket: t.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const dir = writeBuild(build('same', 3));
    const deploy = () => run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir, bucket: t.bucket });
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

  it('is renewed while held, so a publish longer than its lease keeps it (review of #12, finding 6)', async () => {
    const t = await makeTarget('fe-renew');
    const s3 = s3Client();
    let other: unknown;
    const mine = await withLock(s3, t.bucket, '', { wait: false, leaseMs: 2000 }, async (lock) => {
      await sleep(5000); // two and a half leases
      other = await withLock(s3, t.bucket, '', { wait: false }, async () => 'took it');
      await lock.assertHeld();
      return 'published';
    });
    expect(other).toEqual({ heldBy: expect.stringContaining('pid') });
    expect(mine).toEqual({ value: 'published' });
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a holder whose lock was taken meanwhile learns it before it writes', async () => {
    const t = await makeTarget('fe-lost');
    const s3 = s3Client();
    const r = withLock(s3, t.bucket, '', { wait: false }, async (lock) => {
      await s3.send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: '_releases/lock.json',
          Body: JSON.stringify({ owner: 'laptop pid 9', expiresAt: '', leaseMs: 60_000 }),
        }),
      );
      await lock.assertHeld();
      return 'wrote the manifest';
    });
    await expect(r).rejects.toThrow(/the lock s3:\/\/.*_releases\/lock\.json was taken by laptop pid 9 meanwhile/);
    // It leaves the other holder's lock alone.
    expect(await listKeys(t.bucket)).toEqual(['_releases/lock.json']);
  });
});

describe('a rollback racing a deploy (review of #12, finding 5)', () => {
  beforeAll(() => useLabAws());

  it('registers a run marker and restores only under the lock, so no deploy publishes or prunes in between', async () => {
    const t = await makeTarget('fe-rb-lock');
    const deploy = (b: Build) =>
      run(FRONTEND_COMMANDS.deploy, {
        'source-dir': writeBuild(b),
        bucket: t.bucket,
        'keep-releases': 2,
        'keep-days': 0,
      });
    expect((await deploy(build('one', 3))).code).toBe(0);
    expect((await deploy(build('two', 3))).code).toBe(0);
    const s3 = s3Client();
    const outcome = await withLock(s3, t.bucket, '', { wait: false }, async () => {
      // A deploy holds the lock (publishing or pruning): the rollback must announce itself and wait.
      let settled = false;
      const rb = run(rollbackFrontend, { bucket: t.bucket }).finally(() => (settled = true));
      while (!settled && !(await listKeys(t.bucket)).some((k) => k.startsWith('_releases/running/'))) await sleep(50);
      await sleep(1000);
      return { settled, html: await getText(t.bucket, 'index.html'), rb };
    });
    if ('heldBy' in outcome) throw new Error('the test could not take the lock');
    const { settled, html, rb } = outcome.value;
    expect(settled).toBe(false);
    expect(html).toContain('two-0.js');
    const r = await rb;
    expect(r.code).toBe(0);
    expect(r.all).toMatch(/waiting for another deploy/);
    expect(await getText(t.bucket, 'index.html')).toContain('one-0.js');
    expect(await missingAssets(t.bucket)).toEqual([]);
    expect(
      (await listKeys(t.bucket)).filter((k) => k.startsWith('_releases/running/') || k === '_releases/lock.json'),
    ).toEqual([]);
  });
});

describe('several sites in one bucket', () => {
  beforeAll(() => useLabAws());

  it('root deploys with keep-releases 1 never prune a site under a prefix (its own _releases/)', async () => {
    const t = await makeTarget('fe-nest');
    const staging = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(build('staging', 3)),
      bucket: t.bucket,
      prefix: 'staging/',
      'keep-releases': 1,
      'keep-days': 0,
    });
    expect(staging.code).toBe(0);
    const stagingKeys = (await listKeys(t.bucket)).filter((k) => k.startsWith('staging/'));
    expect(stagingKeys).toEqual(expect.arrayContaining(['staging/index.html', 'staging/assets/staging-0.js']));
    for (const n of [1, 2, 3]) {
      const r = await run(FRONTEND_COMMANDS.deploy, {
        'source-dir': writeBuild(build(`root${n}`, 2)),
        bucket: t.bucket,
        'keep-releases': 1,
        'keep-days': 0,
      });
      expect(r.err).toBe('');
    }
    expect((await listKeys(t.bucket)).filter((k) => k.startsWith('staging/'))).toEqual(stagingKeys);
    expect(await missingAssets(t.bucket, 'staging/')).toEqual([]);
    expect((await listKeys(t.bucket)).filter((k) => k.startsWith('assets/root1-'))).toEqual([]);
  });

  it('a root build with a folder named like a nested site is refused before anything changes (review of #12, finding 4)', async () => {
    const t = await makeTarget('fe-clash');
    expect(
      (
        await run(FRONTEND_COMMANDS.deploy, {
          'source-dir': writeBuild(build('docs', 2)),
          bucket: t.bucket,
          prefix: 'docs/',
        })
      ).code,
    ).toBe(0);
    expect(
      (await run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(build('root', 2)), bucket: t.bucket })).code,
    ).toBe(0);
    const before = await listKeys(t.bucket);
    const docsHtml = await getText(t.bucket, 'docs/index.html');
    const r = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild({ ...build('root2', 2), 'docs/index.html': 'overwritten' }),
      bucket: t.bucket,
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /Input 'source-dir': docs\/index\.html would overwrite a file of the site s3:\/\/.*\/docs\/ \(it has its own _releases\/\)/,
    );
    expect(await listKeys(t.bucket)).toEqual(before);
    expect(await getText(t.bucket, 'docs/index.html')).toBe(docsHtml);
  });
});

describe('a manifest with an id in the far future (review of #12, finding 7)', () => {
  beforeAll(() => useLabAws());

  it('is ignored: later deploys get valid ids, their manifests stay and describe the live index.html', async () => {
    const t = await makeTarget('fe-future');
    const deploy = (b: Build) =>
      run(FRONTEND_COMMANDS.deploy, {
        'source-dir': writeBuild(b),
        bucket: t.bucket,
        'keep-releases': 1,
        'keep-days': 0,
      });
    expect((await deploy(build('one', 2))).code).toBe(0);
    const md5 = createHash('md5').update('x').digest('hex');
    const future = '99991231T235959.999Z-deadbeef';
    const body = {
      version: 1,
      id: future,
      createdAt: '9999-12-31T23:59:59.999Z',
      files: { 'index.html': { md5, size: 1, contentType: 'text/html', cacheControl: 'no-cache' } },
    };
    await s3Client().send(
      new PutObjectCommand({ Bucket: t.bucket, Key: `_releases/${future}.json`, Body: JSON.stringify(body) }),
    );
    for (const tag of ['two', 'three']) {
      const r = await deploy(build(tag, 2));
      expect(r.code).toBe(0);
      const ids = (await listKeys(t.bucket))
        .map((k) => /^_releases\/(\d{8}T[^/]*)\.json$/.exec(k)?.[1])
        .filter((id): id is string => Boolean(id) && id !== future);
      expect(ids).toHaveLength(1);
      expect(r.all).toContain(`release ${ids[0]} is live`);
      const manifest = JSON.parse(await getText(t.bucket, `_releases/${ids[0]}.json`)) as {
        files: Record<string, { md5: string }>;
      };
      expect(manifest.files['index.html']?.md5).toBe(
        createHash('md5')
          .update(await getText(t.bucket, 'index.html'))
          .digest('hex'),
      );
      expect(await missingAssets(t.bucket)).toEqual([]);
    }
  });
});
