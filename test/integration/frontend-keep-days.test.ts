/**
 * Issue #16: prune protects open tabs by age too. An object leaves only when no release within `keep-releases`
 * references it and its last release stopped being live (the next release was made) more than `keep-days` ago
 * (default 7). moto stamps every write with the present,
 * so the release made "ten days ago" is listed through the fault proxy with its objects backdated, and its manifest
 * carries an id of that time.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { hashOfId, isReleaseId, type Manifest } from '../../src/frontend/releases.js';
import { useFaultProxy } from '../lab/use-fault-proxy.js';
import { useLabAws } from '../lab/shared.js';
import { getText, listKeys, makeTarget, run, writeBuild, type Build, type Target } from './frontend-helpers.js';

/** Release n: its own entry chunk, a shared vendor chunk, and an index.html pointing at the entry chunk. */
const release = (n: number): Build => ({
  'index.html': `<!doctype html><script type="module" src="/assets/entry-${n}.js"></script>`,
  [`assets/entry-${n}.js`]: `console.log(${n})`,
  'assets/vendor-shared.js': 'export const v = 1',
});

const DAY = 24 * 3600_000;

describe('prune with keep-days (keep-releases 1)', () => {
  let t: Target;
  const manifests = async () => (await listKeys(t.bucket)).filter((k) => /^_releases\/[^/]+\.json$/.test(k));
  const deploy = (n: number, extra: Record<string, string | number> = {}) =>
    run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(release(n)),
      bucket: t.bucket,
      'keep-releases': 1,
      ...extra,
    });

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-days');
  });
  const proxy = useFaultProxy();

  /** Makes deploy `n` a release of `days` ago: its manifest under an id of that time, its objects listed as written then. */
  const deployedDaysAgo = async (n: number, days: number) => {
    const r = await deploy(n);
    expect(r.err).toBe('');
    const id = r.outputs.get('release-id') ?? '';
    const stamp = new Date(Date.now() - days * DAY).toISOString().replace(/[-:]/g, '');
    const oldId = `${stamp}-${hashOfId(id)}`;
    expect(isReleaseId(oldId)).toBe(true);
    const m = JSON.parse(await getText(t.bucket, `_releases/${id}.json`)) as Manifest;
    const s3 = s3Client();
    await s3.send(
      new PutObjectCommand({
        Bucket: t.bucket,
        Key: `_releases/${oldId}.json`,
        Body: JSON.stringify({ ...m, id: oldId }),
      }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: `_releases/${id}.json` }));
    const blobs = (await listKeys(t.bucket)).filter((k) => k.startsWith('_releases/blobs/'));
    proxy.backdate(
      [`_releases/${oldId}.json`, 'index.html', `assets/entry-${n}.js`, 'assets/vendor-shared.js', ...blobs].map(
        (k) => `${t.bucket}/${k}`,
      ),
      days * DAY,
    );
    return oldId;
  };

  it('an asset whose last release stopped being live more than keep-days ago, outside keep-releases, goes', async () => {
    // Release 0, made ten days ago and replaced nine days ago by release 9, which was live until this morning.
    const id0 = await deployedDaysAgo(0, 10);
    const id9 = await deployedDaysAgo(9, 9);

    // This morning's release: release 0 stopped being live 9 days ago (> 7), release 9 only now.
    const r1 = await deploy(1);
    expect(r1.err).toBe('');
    const keys = await listKeys(t.bucket);
    expect(keys).not.toContain('assets/entry-0.js');
    expect(keys).not.toContain(`_releases/${id0}.json`);
    // Release 9 was made nine days ago but served until this morning: a tab opened on it keeps its files.
    expect(keys).toEqual(expect.arrayContaining(['assets/entry-1.js', 'assets/entry-9.js', 'assets/vendor-shared.js']));
    expect(await manifests()).toEqual(
      [`_releases/${id9}.json`, `_releases/${r1.outputs.get('release-id')}.json`].sort(),
    );
  });

  it("a burst of deploys within the hour keeps the morning release's assets (keep-days defaults to 7)", async () => {
    const before = await manifests();
    for (const n of [2, 3, 4]) {
      const r = await deploy(n);
      expect(r.err).toBe('');
      expect(r.outputs.get('deleted')).toBe('0');
    }
    const keys = await listKeys(t.bucket);
    for (const n of [1, 2, 3, 4, 9]) expect(keys).toContain(`assets/entry-${n}.js`);
    // Their manifests stay too: the next prune still knows what each release references (and rollback can use them).
    expect(await manifests()).toEqual(expect.arrayContaining(before));
    expect(await manifests()).toHaveLength(5);
  });

  it('with keep-days 0 only keep-releases counts: the earlier releases of the burst are pruned', async () => {
    const r = await deploy(5, { 'keep-days': 0 });
    expect(r.err).toBe('');
    const keys = await listKeys(t.bucket);
    for (const n of [1, 2, 3, 4, 9]) expect(keys).not.toContain(`assets/entry-${n}.js`);
    expect(keys).toEqual(expect.arrayContaining(['assets/entry-5.js', 'assets/vendor-shared.js']));
    expect(await manifests()).toEqual([`_releases/${r.outputs.get('release-id')}.json`]);
  });

  it('keep-days must be a whole number from 0 to 365', async () => {
    const r = await deploy(5, { 'keep-days': '-1' });
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/Input 'keep-days': expected a whole number from 0 to 365, got '?-1'?$/m);
  });
});
