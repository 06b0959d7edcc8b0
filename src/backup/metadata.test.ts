import { describe, expect, it } from '@jest/globals';
import { fromS3Metadata, parseSidecar, sidecarBody, toS3Metadata } from './metadata.js';

describe('backup metadata', () => {
  it('writes the checksum file in sha256sum format and reads it back', () => {
    const sha = 'ab'.repeat(32);
    const body = sidecarBody(sha, 'backups/2026/01/shisha-log_prod_postgres_20260105_000000.sql.gz');
    expect(body).toBe(`${sha}  shisha-log_prod_postgres_20260105_000000.sql.gz\n`);
    expect(parseSidecar(body)).toBe(sha);
    expect(parseSidecar('not a checksum')).toBeUndefined();
  });

  it('round-trips through S3 user metadata', () => {
    const meta = {
      sha256: 'ff',
      uncompressedSize: 10,
      compressedSize: 3,
      serverVersion: '15.4',
      pgDumpVersion: '17.2',
      database: 'postgres',
      createdAt: '2026-01-05T00:00:00.000Z',
    };
    expect(fromS3Metadata(toS3Metadata(meta))).toEqual(meta);
    expect(fromS3Metadata(undefined)).toMatchObject({ sha256: undefined, compressedSize: undefined });
  });
});
