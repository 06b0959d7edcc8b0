import { beforeAll, describe, expect, it } from '@jest/globals';
import { useLabAws } from '../lab/shared.js';
import { getText, head, listKeys, makeTarget, run, writeBuild, type Build, type Target } from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { rollbackFrontend } from './frontend-helpers.js';

/** Release n: its own entry chunk, a shared vendor chunk, and an index.html pointing at the entry chunk. */
const release = (n: number): Build => ({
  'index.html': `<!doctype html><script src="/assets/entry-${n}.js"></script>`,
  [`assets/entry-${n}.js`]: `console.log(${n})`,
  'assets/vendor-shared.js': 'export const v = 1',
  'about.txt': `release ${n}`,
});

describe('frontend releases: prune, rollback, list', () => {
  let t: Target;
  const ids: string[] = [];
  const deploy = (n: number) =>
    run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(release(n)),
      bucket: t.bucket,
      'distribution-id': t.distributionId,
      'keep-releases': 2,
      'keep-days': 0,
    });

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-rel');
  });

  it('prune keeps the files of the last keep-releases releases and deletes the rest', async () => {
    for (const n of [1, 2, 3]) {
      const r = await deploy(n);
      expect(r.err).toBe('');
      ids.push(r.outputs.get('release-id') ?? '');
      if (n < 3) expect(r.outputs.get('deleted')).toBe('0');
    }
    const keys = await listKeys(t.bucket);
    // Release 1 fell out of the window of 2: its chunk and manifest are gone, releases 2 and 3 are whole.
    expect(keys).not.toContain('assets/entry-1.js');
    expect(keys).not.toContain(`_releases/${ids[0]}.json`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'assets/entry-2.js',
        'assets/entry-3.js',
        'assets/vendor-shared.js',
        `_releases/${ids[1]}.json`,
        `_releases/${ids[2]}.json`,
      ]),
    );
    expect(await getText(t.bucket, 'index.html')).toContain('entry-3.js');
  });

  it('releases lists the kept releases, newest first', async () => {
    const r = await run(FRONTEND_COMMANDS.releases, { bucket: t.bucket });
    expect(r.code).toBe(0);
    expect(r.outputs.get('releases')).toBe(`${ids[2]} ${ids[1]}`);
    expect(r.outputs.get('current')).toBe(ids[2]);
    expect(r.out).toContain('current');
  });

  it('rollback restores the previous release although index.html was overwritten, and invalidates', async () => {
    const r = await run(rollbackFrontend, { bucket: t.bucket, 'distribution-id': t.distributionId });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.get('restored-from')).toBe(ids[1]);
    expect(await getText(t.bucket, 'index.html')).toContain('entry-2.js');
    expect(await getText(t.bucket, 'about.txt')).toBe('release 2');
    expect((await head(t.bucket, 'index.html')).CacheControl).toBe(
      'public, max-age=0, s-maxage=86400, must-revalidate',
    );
    expect((await head(t.bucket, 'index.html')).ContentType).toBe('text/html; charset=utf-8');
    expect(r.outputs.get('invalidation-paths')).toBe('/ /about.txt /index.html');
    expect(r.outputs.get('invalidation-id')).not.toBe('');

    // The rollback is recorded as the current release; rolling back again does not go back to the bad release 3.
    const list = await run(FRONTEND_COMMANDS.releases, { bucket: t.bucket });
    expect(list.out).toContain(`rollback to ${ids[1]}`);
    const again = await run(rollbackFrontend, { bucket: t.bucket, 'dry-run': true });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/no earlier release with other content/);
  });

  it('rollback to an explicit release id, and a deploy after a rollback diffs against the restored files', async () => {
    const r = await run(rollbackFrontend, { bucket: t.bucket, 'release-id': ids[2] ?? '' });
    expect(r.code).toBe(0);
    expect(await getText(t.bucket, 'index.html')).toContain('entry-3.js');
    const d = await deploy(3);
    expect(d.outputs.get('uploaded')).toBe('0');
    const bad = await run(rollbackFrontend, { bucket: t.bucket, 'release-id': '20200101T000000.000Z-deadbeef' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("Input 'release-id': release '20200101T000000.000Z-deadbeef' is not in the bucket");
  });
});
