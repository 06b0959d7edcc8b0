import { beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { useLabAws } from '../lab/shared.js';
import {
  baseBuild,
  getText,
  head,
  invalidations,
  listKeys,
  makeTarget,
  run,
  writeBuild,
  type Target,
} from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';

describe('frontend deploy against moto_server', () => {
  let t: Target;
  let dir: string;
  const deploy = (extra: Record<string, string | number | boolean> = {}) =>
    run(FRONTEND_COMMANDS.deploy, {
      'source-dir': dir,
      bucket: t.bucket,
      'distribution-id': t.distributionId,
      ...extra,
    });

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget();
    dir = writeBuild(baseBuild());
  });

  it('first deploy uploads every file with the right headers, writes a manifest and invalidates the HTML', async () => {
    const r = await deploy(); // waiting for the invalidation: frontend-invalidation.test.ts
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.get('uploaded')).toBe('7');
    expect(r.outputs.get('unchanged')).toBe('0');
    const id = r.outputs.get('release-id') ?? '';
    expect(id).toMatch(/^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}$/);
    const keys = await listKeys(t.bucket);
    expect(keys).toEqual(expect.arrayContaining(['index.html', 'assets/index-aaa111.js', `_releases/${id}.json`]));

    const html = await head(t.bucket, 'index.html');
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    expect(html.CacheControl).toBe('public, max-age=0, s-maxage=86400, must-revalidate');
    const js = await head(t.bucket, 'assets/index-aaa111.js');
    expect(js.ContentType).toBe('text/javascript; charset=utf-8');
    expect(js.CacheControl).toBe('public, max-age=31536000, immutable');
    expect((await head(t.bucket, 'assets/style-ccc333.css')).ContentType).toBe('text/css; charset=utf-8');
    expect((await head(t.bucket, 'manifest.webmanifest')).ContentType).toBe('application/manifest+json; charset=utf-8');
    expect((await head(t.bucket, 'robots.txt')).CacheControl).toBe('public, max-age=86400');

    const manifest = JSON.parse(await getText(t.bucket, `_releases/${id}.json`));
    expect(Object.keys(manifest.files)).toHaveLength(7);
    expect(manifest.files['index.html']).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      size: expect.any(Number),
      md5: expect.stringMatching(/^[0-9a-f]{32}$/),
    });

    // Immutable assets are never invalidated; new mutable files are (a SPA fallback may have cached them).
    const paths = (r.outputs.get('invalidation-paths') ?? '').split(' ');
    expect(paths).toEqual(expect.arrayContaining(['/', '/index.html', '/robots.txt']));
    expect(paths.some((p) => p.startsWith('/assets/'))).toBe(false);
    expect(r.outputs.get('invalidation-id')).not.toBe('');
    expect(await invalidations(t.distributionId)).toHaveLength(1);
  });

  it('an unchanged redeploy of a fresh build (new mtimes) uploads nothing and invalidates nothing', async () => {
    const before = await listKeys(t.bucket);
    dir = writeBuild(baseBuild(), dir);
    const r = await deploy();
    expect(r.code).toBe(0);
    expect(r.outputs.get('uploaded')).toBe('0');
    expect(r.outputs.get('copied')).toBe('0');
    expect(r.outputs.get('unchanged')).toBe('7');
    expect(r.outputs.get('invalidation-id')).toBe('');
    expect(await listKeys(t.bucket)).toEqual(before);
    expect(await invalidations(t.distributionId)).toHaveLength(1);
  });

  it('a rebuild with changed chunks uploads only those and index.html, old chunks stay for open tabs', async () => {
    const b = baseBuild();
    delete b['assets/index-aaa111.js'];
    b['assets/index-ddd444.js'] = 'console.log("v2")';
    b['assets/style-ccc333.css'] = 'body{color:blue}'; // same name, new content
    b['index.html'] = '<!doctype html><script src="/assets/index-ddd444.js"></script>';
    dir = writeBuild(b, dir);
    const r = await deploy();
    expect(r.code).toBe(0);
    expect(r.outputs.get('uploaded')).toBe('3');
    expect(r.outputs.get('unchanged')).toBe('4');
    expect(r.outputs.get('bytes-uploaded')).toBe(String(Buffer.byteLength(b['index.html'] as string) + 17 + 16));
    expect(r.outputs.get('invalidation-paths')).toBe('/ /index.html');
    expect(await getText(t.bucket, 'index.html')).toContain('index-ddd444.js');
    expect(await listKeys(t.bucket)).toContain('assets/index-aaa111.js');
    expect(r.out).toContain('upload (changed)');
  });

  it('a cache-rule change fixes headers with a server-side copy, not an upload', async () => {
    const r = await deploy({ 'cache-rules': 'robots.txt: no-cache\n*.webmanifest: public, max-age=600' });
    expect(r.code).toBe(0);
    expect(r.outputs.get('uploaded')).toBe('0');
    expect(r.outputs.get('copied')).toBe('2');
    expect((await head(t.bucket, 'robots.txt')).CacheControl).toBe('no-cache');
    expect((await head(t.bucket, 'manifest.webmanifest')).ContentType).toBe('application/manifest+json; charset=utf-8');
    expect(r.outputs.get('invalidation-paths')).toBe('/manifest.webmanifest /robots.txt');
  });

  it('plan and dry-run change nothing', async () => {
    const b = baseBuild();
    b['index.html'] = '<!doctype html>v3';
    dir = writeBuild(b, dir);
    const before = await listKeys(t.bucket);
    const html = await getText(t.bucket, 'index.html');
    for (const r of [
      await run(FRONTEND_COMMANDS.plan, { 'source-dir': dir, bucket: t.bucket, 'distribution-id': t.distributionId }),
      await deploy({ 'dry-run': true }),
    ]) {
      expect(r.code).toBe(0);
      expect(r.out).toContain('dry run');
      expect(r.out).toContain('index.html');
      expect(Number(r.outputs.get('uploaded'))).toBeGreaterThan(0);
      expect(r.outputs.get('invalidation-id')).toBe('');
    }
    expect(await listKeys(t.bucket)).toEqual(before);
    expect(await getText(t.bucket, 'index.html')).toBe(html);
    expect(await invalidations(t.distributionId)).toHaveLength(3);
  });

  it('keys with spaces, + and non-ASCII names, under a prefix, round-trip and diff cleanly', async () => {
    const b = {
      'index.html': '<p>hi</p>',
      'img/a b+c ü.svg': '<svg/>',
      'docs/日本語.txt': 'こんにちは',
      'data.json': '{}',
      'app.wasm': Buffer.from([0, 97, 115, 109]),
      'x.map': '{}',
    };
    const d2 = writeBuild(b);
    const args = { 'source-dir': d2, bucket: t.bucket, prefix: '/site/v1/', 'distribution-id': t.distributionId };
    const first = await run(FRONTEND_COMMANDS.deploy, args);
    expect(first.err).toBe('');
    expect(first.outputs.get('uploaded')).toBe('6');
    expect((await head(t.bucket, 'site/v1/img/a b+c ü.svg')).ContentType).toBe('image/svg+xml; charset=utf-8');
    expect((await head(t.bucket, 'site/v1/app.wasm')).ContentType).toBe('application/wasm');
    expect((await head(t.bucket, 'site/v1/x.map')).ContentType).toBe('application/json; charset=utf-8');
    expect(await getText(t.bucket, 'site/v1/docs/日本語.txt')).toBe('こんにちは');
    // CloudFront paths are relative to the site root and URL-encoded.
    expect(first.outputs.get('invalidation-paths')).toBe(
      '/ /app.wasm /data.json /docs/%E6%97%A5%E6%9C%AC%E8%AA%9E.txt /img/a%20b+c%20%C3%BC.svg /index.html /x.map',
    );
    const again = await run(FRONTEND_COMMANDS.deploy, args);
    expect(again.outputs.get('uploaded')).toBe('0');
    expect(again.outputs.get('unchanged')).toBe('6');
    // Nothing outside the prefix was touched by the prefixed deploys.
    // One manifest, one stored copy per distinct mutable content (data.json and x.map share theirs).
    expect((await listKeys(t.bucket)).filter((k) => k.startsWith('site/v1/_releases/'))).toHaveLength(1 + 5);
    expect((await listKeys(t.bucket)).filter((k) => k.startsWith('site/')).length).toBe(6 + 6);
    // Pruning under the prefix never touches anything outside it.
    const outside = (await listKeys(t.bucket)).filter((k) => !k.startsWith('site/'));
    const d3 = writeBuild({ ...b, 'index.html': '<p>v2</p>', 'img/a b+c ü.svg': '<svg>2</svg>' });
    const third = await run(FRONTEND_COMMANDS.deploy, {
      ...args,
      'source-dir': d3,
      'keep-releases': 1,
      'keep-days': 0,
    });
    expect(third.err).toBe('');
    expect(Number(third.outputs.get('deleted'))).toBeGreaterThan(0);
    expect((await listKeys(t.bucket)).filter((k) => !k.startsWith('site/'))).toEqual(outside);
    expect(await getText(t.bucket, 'site/v1/img/a b+c ü.svg')).toBe('<svg>2</svg>');
  });
});

describe('frontend deploy to a bucket with more than 1,000 objects', () => {
  it('lists every page: a redeploy of 1,100 files uploads nothing', async () => {
    useLabAws();
    const t = await makeTarget('fe-page');
    const b: Record<string, string> = { 'index.html': '<p>many</p>' };
    for (let i = 0; i < 1100; i++) b[`assets/chunk-${String(i).padStart(4, '0')}.js`] = `export default ${i}`;
    const dir = writeBuild(b);
    const args = { 'source-dir': dir, bucket: t.bucket, concurrency: 32 };
    const first = await run(FRONTEND_COMMANDS.deploy, args);
    expect(first.outputs.get('uploaded')).toBe('1101');
    const again = await run(FRONTEND_COMMANDS.deploy, { ...args, 'source-dir': writeBuild(b, dir) });
    expect(again.err).toBe('');
    expect(again.outputs.get('uploaded')).toBe('0');
    expect(again.outputs.get('unchanged')).toBe('1101');
  });
});

describe('frontend deploy adopting a bucket filled by another tool (no manifest)', () => {
  it('uploads nothing that is already there, fixes wrong headers server-side, leaves unknown objects alone', async () => {
    useLabAws();
    const t = await makeTarget('fe-adopt');
    const b = baseBuild();
    const s3 = s3Client();
    // What `aws s3 sync` leaves: the right bytes, one Cache-Control (none) and guessed types.
    for (const [rel, body] of Object.entries(b)) {
      await s3.send(
        new PutObjectCommand({
          Bucket: t.bucket,
          Key: rel,
          Body: body,
          ContentType: rel.endsWith('.html') ? 'text/html' : 'application/octet-stream',
        }),
      );
    }
    await s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'assets/old-chunk-zzz.js', Body: 'old' }));
    const r = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(b),
      bucket: t.bucket,
      'keep-releases': 1,
    });
    expect(r.err).toBe('');
    expect(r.outputs.get('uploaded')).toBe('0');
    expect(r.outputs.get('copied')).toBe('7');
    expect(r.outputs.get('deleted')).toBe('0'); // the first release does not prune what came before it
    expect((await head(t.bucket, 'assets/index-aaa111.js')).CacheControl).toBe('public, max-age=31536000, immutable');
    expect((await head(t.bucket, 'index.html')).ContentType).toBe('text/html; charset=utf-8');
    expect(await listKeys(t.bucket)).toContain('assets/old-chunk-zzz.js');
  });
});
