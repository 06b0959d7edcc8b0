import { describe, expect, it } from '@jest/globals';
import { invalidationPaths, cloudFrontPath } from './invalidation-paths.js';
import { knownHeaders, makePlan, needHead, ordered, withRecordedContent, type RemoteObject } from './plan.js';
import { keptReleases, prunePlan, releaseTime } from './prune.js';
import { contentHash, keyPrefix, parseManifest, releaseId, timeOfId, type Manifest } from './releases.js';
import type { LocalFile } from './scan.js';

const IMM = 'public, max-age=31536000, immutable';
const HTML = 'public, max-age=0, s-maxage=86400, must-revalidate';
const f = (
  rel: string,
  md5: string,
  cacheControl = 'public, max-age=86400',
  contentType = 'text/plain; charset=utf-8',
): LocalFile => ({ rel, abs: `/b/${rel}`, md5, size: 10, cacheControl, contentType });
const r = (rel: string, md5: string | undefined, t = 1000): RemoteObject => ({
  rel,
  md5,
  size: 10,
  lastModified: new Date(t),
});
const manifest = (id: string, files: LocalFile[]): Manifest => ({
  version: 1,
  id,
  createdAt: '',
  files: Object.fromEntries(files.map((x) => [x.rel, x])),
});

describe('plan', () => {
  const local = [
    f('index.html', 'h2', HTML, 'text/html; charset=utf-8'),
    f('assets/a.js', 'a1', IMM),
    f('assets/b.js', 'b2', IMM),
    f('robots.txt', 'r1'),
  ];
  const remote = new Map(
    [r('index.html', 'h1'), r('assets/a.js', 'a1'), r('robots.txt', 'r1'), r('assets/old.js', 'o1')].map((o) => [
      o.rel,
      o,
    ]),
  );

  it('diffs by content and headers, never by time', () => {
    const cur = manifest('x', [f('assets/a.js', 'a1', IMM), f('robots.txt', 'r1', 'no-cache')]);
    const known = knownHeaders(remote, cur);
    expect(needHead(local, remote, known)).toEqual([]);
    const plan = makePlan(local, remote, known);
    expect(plan.items.map((i) => `${i.file.rel}:${i.action}`)).toEqual([
      'index.html:changed',
      'assets/a.js:unchanged',
      'assets/b.js:new',
      'robots.txt:headers',
    ]);
    expect(plan.stale).toEqual(['assets/old.js']);
    expect(ordered(plan.items).map((i) => i.file.rel)).toEqual(['assets/b.js', 'robots.txt', 'index.html']);
  });

  it('asks S3 for headers the manifest does not vouch for (no manifest, or a multipart ETag counts as changed)', () => {
    const rem = new Map(remote);
    rem.set('assets/b.js', r('assets/b.js', undefined));
    expect(needHead(local, rem, knownHeaders(rem, undefined))).toEqual(['assets/a.js', 'robots.txt']);
    expect(makePlan(local, rem, new Map()).items.find((i) => i.file.rel === 'assets/b.js')?.action).toBe('changed');
  });

  it('identifies objects by the ETag a manifest recorded when the ETag is not the MD5 (SSE-KMS, multipart)', () => {
    const kms = (rel: string, etag: string): RemoteObject => ({ ...r(rel, etag), etag });
    const rem = new Map(
      [kms('index.html', 'e-h1'), kms('assets/a.js', 'e-a1'), kms('robots.txt', 'e-r9')].map((o) => [o.rel, o]),
    );
    const cur = manifest('x', [
      { ...f('index.html', 'h2', HTML, 'text/html; charset=utf-8'), etag: 'e-h1' } as LocalFile,
      { ...f('assets/a.js', 'a1', IMM), etag: 'e-a1' } as LocalFile,
      { ...f('robots.txt', 'r1'), etag: 'e-r1' } as LocalFile, // overwritten since: the listing shows another ETag
    ]);
    const known = withRecordedContent(rem, [cur]);
    expect([...known.values()].map((o) => `${o.rel}:${o.md5}`)).toEqual([
      'index.html:h2',
      'assets/a.js:a1',
      'robots.txt:e-r9',
    ]);
    expect(rem.get('index.html')?.md5).toBe('e-h1'); // the listing itself is left as it was
    const plan = makePlan(local, known, knownHeaders(known, cur));
    expect(plan.items.map((i) => `${i.file.rel}:${i.action}`)).toEqual([
      'index.html:unchanged',
      'assets/a.js:unchanged',
      'assets/b.js:new',
      'robots.txt:changed',
    ]);
    // A size that differs from the entry is never vouched for, whatever the ETag.
    const bigger = new Map([['assets/a.js', { ...kms('assets/a.js', 'e-a1'), size: 11 }]]);
    expect(withRecordedContent(bigger, [cur]).get('assets/a.js')?.md5).toBe('e-a1');
  });

  it('invalidates changed non-immutable paths, the directory of an index.html, and collapses past the threshold', () => {
    const items = makePlan(
      local,
      remote,
      knownHeaders(remote, manifest('x', [f('robots.txt', 'r1', 'no-cache')])),
    ).items;
    expect(invalidationPaths(items)).toEqual(['/', '/index.html', '/robots.txt']);
    expect(invalidationPaths(items, 2)).toEqual(['/*']);
    const many = Array.from({ length: 16 }, (_, i) => ({
      file: f(`p${i}.txt`, 'x'),
      action: 'new' as const,
      tier: 'other' as const,
    }));
    expect(invalidationPaths(many)).toEqual(['/*']);
    expect(invalidationPaths([{ file: f('docs/index.html', 'x'), action: 'changed', tier: 'html' }])).toEqual([
      '/docs/',
      '/docs/index.html',
    ]);
    expect(cloudFrontPath('a b/ü?#*.txt')).toBe('/a%20b/%C3%BC%3F%23%2A.txt');
  });
});

describe('releases and prune', () => {
  it('ids sort by time and carry the content hash; a new id is always after the current one', () => {
    const files = { 'a.txt': { md5: 'x', size: 1, contentType: 't', cacheControl: 'c' } };
    const id = releaseId(files, new Date('2026-01-02T03:04:05.678Z'));
    expect(id).toBe(`20260102T030405.678Z-${contentHash(files)}`);
    expect(timeOfId(id)).toBe(Date.parse('2026-01-02T03:04:05.678Z'));
    expect(releaseId(files, new Date('2020-01-01T00:00:00Z'), id)).toBe(`20260102T030405.679Z-${contentHash(files)}`);
    expect(keyPrefix('/site/v1/')).toBe('site/v1/');
    expect(keyPrefix('')).toBe('');
  });

  const state = (releases: [string, number][], site: RemoteObject[], blobs: [string, number][] = []) => ({
    site: new Map(site.map((o) => [o.rel, o])),
    releases: new Map(releases.map(([id, t]) => [id, new Date(t)])),
    blobs: new Map(blobs.map(([m, t]) => [m, new Date(t)])),
    running: new Map<string, Date>(),
    nested: [] as string[],
  });

  it('deletes what no kept release references, only once there are more releases than kept', () => {
    const m1 = manifest('1', [f('index.html', 'h1'), f('assets/a1.js', 'a1', IMM)]);
    const m2 = manifest('2', [f('index.html', 'h2'), f('assets/a2.js', 'a2', IMM)]);
    const m3 = manifest('3', [f('index.html', 'h3'), f('assets/a3.js', 'a3', IMM)]);
    const site = [
      r('index.html', 'h3', 300),
      r('assets/a1.js', 'a1', 100),
      r('assets/a2.js', 'a2', 200),
      r('assets/a3.js', 'a3', 300),
      r('legacy.js', 'l', 50),
      r('fresh.js', 'f', 900),
    ];
    const s = state(
      [
        ['1', 110],
        ['2', 210],
        ['3', 310],
      ],
      site,
      [
        ['h1', 110],
        ['h2', 210],
        ['h3', 310],
      ],
    );
    const pp = prunePlan(s, new Map([['2', m2]]), 2, m3);
    expect(pp).toEqual({ kept: ['2', '3'], site: ['assets/a1.js', 'legacy.js'], releases: ['1'], blobs: ['h1'] });
    expect(
      prunePlan(
        s,
        new Map([
          ['1', m1],
          ['2', m2],
        ]),
        3,
        m3,
      ).site,
    ).toEqual([]);
    // A kept manifest that could not be read: prune nothing rather than guess.
    expect(prunePlan(s, new Map(), 2, m3).site).toEqual([]);
  });

  it('with keep-days, also keeps every release live less than that ago, and every object younger than that', () => {
    const DAY = 24 * 3600_000;
    const m1 = manifest('1', [f('index.html', 'h1'), f('assets/a1.js', 'a1', IMM)]);
    const m2 = manifest('2', [f('index.html', 'h2'), f('assets/a2.js', 'a2', IMM)]);
    const m3 = manifest('3', [f('index.html', 'h3'), f('assets/a3.js', 'a3', IMM)]);
    const s = state(
      [
        ['1', 110],
        ['2', 210],
        ['3', 310],
      ],
      [
        r('index.html', 'h3', 300),
        r('assets/a1.js', 'a1', 100),
        r('assets/a2.js', 'a2', 200),
        r('assets/a3.js', 'a3', 300),
        r('orphan.js', 'o', 205), // uploaded by no release (a deploy that failed before its manifest)
      ],
      [
        ['h1', 110],
        ['h2', 210],
        ['h3', 310],
      ],
    );
    const all = new Map([
      ['1', m1],
      ['2', m2],
    ]);
    // A day after release 1 (and less after 2 and 3): with keep-releases 1 all three stay.
    expect(prunePlan(s, all, 1, m3, { keepDays: 1, now: 110 + DAY - 1 })).toEqual({
      kept: ['1', '2', '3'],
      site: [],
      releases: [],
      blobs: [],
    });
    // Release 1 stopped being live a day ago (release 2 came at 210), release 2 less than that: release 1's files go,
    // release 2's stay; the orphan (uploaded before release 2) is a day old too and goes.
    expect(prunePlan(s, all, 1, m3, { keepDays: 1, now: 210 + DAY - 1 }).kept).toEqual(['1', '2', '3']);
    expect(prunePlan(s, all, 1, m3, { keepDays: 1, now: 210 + DAY })).toEqual({
      kept: ['2', '3'],
      site: ['assets/a1.js', 'orphan.js'],
      releases: ['1'],
      blobs: ['h1'],
    });
    // keep-days 0: keep-releases alone (today's rule).
    expect(prunePlan(s, all, 1, m3, { keepDays: 0, now: 200 + DAY })).toEqual({
      kept: ['3'],
      site: ['assets/a1.js', 'assets/a2.js', 'orphan.js'],
      releases: ['1', '2'],
      blobs: ['h1', 'h2'],
    });
  });

  it('reads manifests with and without recorded ETags, and refuses an ETag no S3 answers', () => {
    const text = (etag?: unknown) =>
      JSON.stringify({
        version: 1,
        id: 'x',
        createdAt: '',
        files: { 'a.js': { md5: 'a'.repeat(32), size: 1, contentType: 'text/javascript', cacheControl: IMM, etag } },
      });
    expect(parseManifest(text(), 'k').files['a.js']?.etag).toBeUndefined();
    expect(parseManifest(text('0f1e2d3c4b5a69788796a5b4c3d2e1f0-3'), 'k').files['a.js']?.etag).toBe(
      '0f1e2d3c4b5a69788796a5b4c3d2e1f0-3',
    );
    for (const bad of ['"quoted"', 'line\nbreak', '', 7])
      expect(() => parseManifest(text(bad), 'k')).toThrow(
        'k is not a valid release manifest: the etag of "a.js" must be 1-200 printable characters without quotes',
      );
  });

  it("a release's age counts from the later of its id's time and its manifest's LastModified", () => {
    const id = '20261101T000000.000Z-1a2b3c4d';
    const t = Date.UTC(2026, 10, 1);
    expect(releaseTime(id, new Date(t - 5000))).toBe(t); // the deploying machine's clock ran ahead of S3's
    expect(releaseTime(id, new Date(t + 5000))).toBe(t + 5000); // or behind, or the bucket was copied since
    const releases = new Map([
      [id, new Date(t)],
      ['20261120T000000.000Z-2b3c4d5e', new Date(t + 19 * 24 * 3600_000)],
    ]);
    // The first release was live until the second was made (day 19): kept for 7 days from then, not from day 0.
    expect(keptReleases(releases, 1, { keepDays: 7, now: t + 26 * 24 * 3600_000 - 1 })).toEqual([...releases.keys()]);
    expect(keptReleases(releases, 1, { keepDays: 7, now: t + 26 * 24 * 3600_000 })).toEqual([
      '20261120T000000.000Z-2b3c4d5e',
    ]);
  });

  it('a release made a month ago and replaced this morning by a burst of deploys is kept (its tabs are open)', () => {
    const day = 24 * 3600_000;
    const now = Date.UTC(2026, 10, 25, 12);
    const at = (ms: number, n: number) =>
      [
        `${new Date(ms).toISOString().replace(/[-:]/g, '')}-${n}a2b3c4d`.replace(/^(\d{8}T\d{6})\.(\d{3})Z/, '$1.$2Z'),
        new Date(ms),
      ] as const;
    const month = at(now - 30 * day, 1);
    const burst = [at(now - 3 * 3600_000, 2), at(now - 2 * 3600_000, 3), at(now - 3600_000, 4)];
    const releases = new Map([month, ...burst]);
    expect(keptReleases(releases, 3, { keepDays: 7, now })).toEqual([month[0], ...burst.map((b) => b[0])]);
    expect(keptReleases(releases, 3, { keepDays: 0, now })).toEqual(burst.map((b) => b[0]));
  });
});
