import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { frontendClients } from '../../src/frontend/clients.js';
import pMap from 'p-map';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { listBucket, uploadFile } from '../../src/frontend/bucket.js';
import { listObjects } from '../../src/core/s3.js';
import type { LocalFile } from '../../src/frontend/scan.js';
import { useFaultProxy } from '../lab/use-fault-proxy.js';
import { useLabAws } from '../lab/shared.js';
import { baseBuild, getText, head, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';

/** The deploy's bulk PutObject (frontend/put-object.ts, without the SDK's middleware stack) behaves as the SDK's. */
describe('frontend uploads (the lean PutObject path)', () => {
  let t: Target;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'put-object-'));
  const file = (rel: string, body: string | Buffer, md5?: string): LocalFile => {
    const abs = path.join(dir, rel.replace(/\//g, '_'));
    writeFileSync(abs, body);
    return {
      rel,
      abs,
      size: Buffer.byteLength(body),
      md5: md5 ?? createHash('md5').update(body).digest('hex'),
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
    };
  };

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-put');
  });
  const proxy = useFaultProxy();

  it('sends the bytes, headers and Content-MD5; returns the ETag; keys with spaces, + and non-ASCII arrive as named', async () => {
    const key = 'assets/a b+c (1)/ü*!.js';
    const f = file(key, 'export const x = "ü"');
    const etag = await uploadFile(frontendClients().s3Upload, t.bucket, key, f);
    expect(etag).toBe(f.md5);
    expect(await getText(t.bucket, key)).toBe('export const x = "ü"');
    const h = await head(t.bucket, key);
    expect(h.ContentType).toBe('text/javascript; charset=utf-8');
    expect(h.CacheControl).toBe('public, max-age=31536000, immutable');
    expect(h.ETag).toBe(`"${f.md5}"`);
  });

  it('a bucket in another region than AWS_REGION: the deploy follows S3 there (301 with x-amz-bucket-region)', async () => {
    const other = await makeTarget('fe-put-region');
    proxy.clear();
    proxy.inBucketRegion(other.bucket, 'eu-west-1');
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(baseBuild()), bucket: other.bucket });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.get('uploaded')).toBe(String(Object.keys(baseBuild()).length));
    expect(await getText(other.bucket, 'index.html')).toBe(baseBuild()['index.html']);
    // The uploads were redirected: some PUT of an asset was answered 301, then sent signed for eu-west-1.
    expect(proxy.seen.filter((s) => s.method === 'PUT' && s.path.includes('/assets/')).length).toBeGreaterThan(
      Object.keys(baseBuild()).filter((k) => k.startsWith('assets/')).length,
    );
  });

  it('a 501 NotImplemented is not retried (as the SDK does not) and its message reads as S3 wrote it, unescaped', async () => {
    proxy.clear();
    proxy.inject({ method: 'PUT', path: '/x501.js', fault: '501' });
    const err = (await uploadFile(frontendClients().s3Upload, t.bucket, 'x501.js', file('x501.js', 'x')).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.name).toBe('NotImplemented');
    expect(err.message).toBe('A header you provided implies functionality that is not implemented: "x-amz-x"');
    expect(proxy.seen.filter((s) => s.method === 'PUT' && s.path.endsWith('/x501.js'))).toHaveLength(1);
  });

  it("sends the SDK's User-Agent, naming shisha-ops", async () => {
    proxy.clear();
    await uploadFile(frontendClients().s3Upload, t.bucket, 'ua.js', file('ua.js', 'ua'));
    await head(t.bucket, 'ua.js'); // through the SDK's own stack
    const lean = proxy.seen.find((s) => s.method === 'PUT')?.userAgent ?? '';
    const sdk = proxy.seen.find((s) => s.method === 'HEAD')?.userAgent ?? '';
    expect(lean).toMatch(/^aws-sdk-js\/\d+\.\d+\.\d+ .*lib\/shisha-ops$/);
    expect(lean.split(' ')[0]).toBe(sdk.split(' ')[0]);
  });

  it("lists a bucket as the SDK's paginator does: every page, keys with XML-escaped characters as named", async () => {
    const list = await makeTarget('fe-put-list');
    const s3 = frontendClients().s3;
    const odd = ['a&b.js', '<x>.html', 'it\'s "q".css', 'ü/ñ 1+2.js', 'sp ace/%41.txt', 'emoji-😀.txt'];
    const keys = [...odd, ...Array.from({ length: 1001 }, (_, i) => `assets/c${String(i).padStart(4, '0')}.js`)];
    await pMap(
      keys,
      (Key, i) => s3.send(new PutObjectCommand({ Bucket: list.bucket, Key, Body: 'x'.repeat((i % 7) + 1) })),
      {
        concurrency: 16,
      },
    );
    proxy.clear();
    const state = await listBucket(s3, list.bucket, '');
    const sdk = [];
    for await (const o of listObjects(s3, list.bucket, '')) sdk.push(o);
    expect([...state.site.keys()].sort()).toEqual(keys.sort());
    expect(sdk).toHaveLength(keys.length);
    for (const o of sdk) {
      const r = state.site.get(o.Key ?? '');
      expect(r).toEqual({
        rel: o.Key,
        etag: (o.ETag ?? '').replace(/"/g, ''),
        md5: (o.ETag ?? '').replace(/"/g, ''),
        size: o.Size,
        lastModified: o.LastModified,
      });
    }
    // The deploy's listing went the lean way, page by page (1,000 keys a page).
    const leanLists = proxy.seen.filter((s) => s.method === 'GET' && s.userAgent?.endsWith('lib/shisha-ops'));
    expect(leanLists).toHaveLength(2);

    // A prefix with a space, non-ASCII and `+` arrives as named; the keys come back relative to it.
    const under = await listBucket(s3, list.bucket, 'ü/ñ 1+');
    expect([...under.site.keys()]).toEqual(['2.js']);
    // A dropped connection and a 500 on a page are retried, as the SDK's paginator does.
    proxy.clear();
    proxy.inject({ method: 'GET', path: new RegExp(`^/${list.bucket}/?$`), fault: 'reset', times: 1 });
    proxy.inject({ method: 'GET', path: new RegExp(`^/${list.bucket}/?$`), fault: '500', times: 1 });
    expect((await listBucket(s3, list.bucket, '')).site.size).toBe(keys.length);
    expect(proxy.faults.map((f) => f.fault)).toEqual(['reset', '500']);
  });
});
