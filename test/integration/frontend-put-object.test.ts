import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { frontendClients } from '../../src/frontend/clients.js';
import { uploadFile } from '../../src/frontend/bucket.js';
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
});
