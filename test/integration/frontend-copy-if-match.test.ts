/**
 * Header fixes and rollback copies are CopyObject calls from a key that a concurrent deploy may rewrite between this
 * deploy's listing and its copy. The copy carries `x-amz-copy-source-if-match` with the ETag this deploy saw, so S3
 * (412 PreconditionFailed) refuses to copy bytes the release manifest would then vouch for wrongly.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { copyWithHeaders } from '../../src/frontend/bucket.js';
import { useFaultProxy } from '../lab/use-fault-proxy.js';
import { useLabAws } from '../lab/shared.js';
import { getText, head, makeTarget } from './frontend-helpers.js';

describe('copies only the object this deploy saw (CopySourceIfMatch)', () => {
  // moto ignores the copy's condition; the proxy answers 412 as S3 does.
  beforeAll(async () => {
    useLabAws();
  });
  useFaultProxy();

  it('refuses, with a clear message, an object rewritten after the listing; copies the one listed', async () => {
    const t = await makeTarget('fe-ifmatch');
    const s3 = s3Client();
    const put = async (body: string) =>
      (await s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'robots.txt', Body: body }))).ETag!.replace(
        /"/g,
        '',
      );
    const seen = await put('User-agent: *');
    await put('Disallow: /'); // another deploy's bytes, after this deploy listed the bucket
    const h = { contentType: 'text/plain; charset=utf-8', cacheControl: 'public, max-age=60' };
    await expect(copyWithHeaders(s3, t.bucket, 'robots.txt', 'robots.txt', h, seen)).rejects.toThrow(
      'robots.txt changed while this deploy ran (another deploy wrote it): rerun the deploy',
    );
    expect((await head(t.bucket, 'robots.txt')).CacheControl).toBeUndefined();
    const now = await put('User-agent: *');
    await copyWithHeaders(s3, t.bucket, 'robots.txt', 'robots.txt', h, now);
    expect((await head(t.bucket, 'robots.txt')).CacheControl).toBe('public, max-age=60');
    expect(await getText(t.bucket, 'robots.txt')).toBe('User-agent: *');
  });
});
