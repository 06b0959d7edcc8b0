import { describe, expect, it } from '@jest/globals';
import { InputError } from './errors.js';
import { checkBucketName } from './s3.js';

describe('checkBucketName', () => {
  it.each(['abc', 'my-site.example.com', 'a'.repeat(63), '0backups9'])('accepts %s', (name) => {
    expect(checkBucketName('bucket', name)).toBe(name);
  });

  it.each(['ab', 'a'.repeat(64), 'Bad_Bucket', '-dash', 'dot.', 'has space', ''])(
    'refuses %j naming the input',
    (name) => {
      expect(() => checkBucketName('bucket', name)).toThrow(InputError);
      expect(() => checkBucketName('bucket', name)).toThrow(
        `Input 'bucket': '${name}' is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`,
      );
    },
  );

  it('says which bucket is meant, and cuts a long value', () => {
    expect(() => checkBucketName('lock-bucket', 'X', 'the frontend bucket, which holds the deploy lock')).toThrow(
      "Input 'lock-bucket': 'X' is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens): the frontend bucket, which holds the deploy lock",
    );
    expect(() => checkBucketName('bucket', 'B'.repeat(5000))).toThrow('(5000 characters)');
  });
});
