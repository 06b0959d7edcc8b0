import { beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { deleteObjects, listObjects } from '../../src/core/s3.js';
import { useFaultProxy } from '../lab/use-fault-proxy.js';
import { uniqueName, useLabAws } from '../lab/shared.js';

const keysOf = async (objects: AsyncIterable<{ Key?: string }>) => {
  const keys: string[] = [];
  for await (const o of objects) keys.push(o.Key ?? '');
  return keys.sort();
};

describe('core S3 listing and batched deletes against moto_server', () => {
  let bucket: string;
  const requests = (method: string) =>
    proxy.seen.filter((r) => r.method === method && r.path.replace(/\/$/, '') === `/${bucket}`).length;

  beforeAll(async () => {
    useLabAws();
    bucket = uniqueName('core-s3');
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  });
  const proxy = useFaultProxy();

  it('lists every page under a prefix and deletes in batches of 1,000, nothing outside the prefix', async () => {
    const s3 = s3Client();
    const keys = ['site/a.txt', 'site/b/c.txt', 'site/d.txt', 'site/e.txt', 'site/f.txt'];
    for (const Key of [...keys, 'site-old/keep.txt'])
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));
    proxy.clear();

    expect(await keysOf(listObjects(s3, bucket, 'site/', { pageSize: 2 }))).toEqual(keys);
    expect(requests('GET')).toBe(3);
    expect(await keysOf(listObjects(s3, bucket, 'site/', { delimiter: '/' }))).not.toContain('site/b/c.txt');

    // 1,001 keys (DeleteObjects takes at most 1,000): two requests; keys that are not there count as deleted.
    const doomed = [...keys, ...Array.from({ length: 996 }, (_, i) => `site/gone-${i}.txt`)];
    const batches: number[] = [];
    await expect(deleteObjects(s3, bucket, doomed, { onDeleted: (n) => batches.push(n) })).resolves.toBe(true);
    expect(batches).toEqual([1000, 1]);
    expect(requests('POST')).toBe(2);
    expect(await keysOf(listObjects(s3, bucket, ''))).toEqual(['site-old/keep.txt']);
  });

  it('names the first key S3 refused (DeleteObjects Errors); a key already gone counts as deleted', async () => {
    const s3 = s3Client();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'locked/a.txt', Body: 'a' }));
    // What S3 answers for a key it refuses (e.g. under object lock or a deny policy): an Error entry per key.
    const refuse = (key: string, code: string, message: string) => (xml: string) =>
      xml
        .replace(`<Deleted><Key>${key}</Key></Deleted>`, '')
        .replace(
          '</DeleteResult>',
          `<Error><Key>${key}</Key><Code>${code}</Code><Message>${message}</Message></Error></DeleteResult>`,
        );
    proxy.rewrite({ method: 'POST', body: refuse('locked/a.txt', 'AccessDenied', 'Access Denied'), times: 1 });
    const counted: number[] = [];
    await expect(
      deleteObjects(s3, bucket, ['locked/a.txt', 'locked/b.txt'], { onDeleted: (n) => counted.push(n) }),
    ).rejects.toThrow(`DeleteObjects s3://${bucket} refused 1 key(s), first locked/a.txt: AccessDenied Access Denied`);
    expect(counted).toEqual([1]);

    proxy.rewrite({ method: 'POST', body: refuse('locked/b.txt', 'NoSuchKey', 'The specified key does not exist.') });
    await expect(deleteObjects(s3, bucket, ['locked/b.txt'])).resolves.toBe(true);
    proxy.clear();
  });
});
