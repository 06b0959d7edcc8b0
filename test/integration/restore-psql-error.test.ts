/**
 * psql stops at the first error (ON_ERROR_STOP) while the restore is still feeding it: the restore then sees psql
 * stop reading and stops it too, but the reason the user needs is psql's own error line.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';
import { backupKey } from '../../src/backup/naming.js';
import { PG_DUMP_COMPLETE } from '../../src/backup/sql-scanner.js';
import { s3Client } from '../../src/core/aws.js';
import { OpsError } from '../../src/core/errors.js';
import { inputsFrom } from '../../src/core/inputs.js';
import { captureReporter } from '../lab/capture.js';
import { pg, uniqueName, useLabAws } from '../lab/shared.js';

describe('a restore that psql stops with an error', () => {
  const bucket = uniqueName('restore-psql-err');
  const target = uniqueName('rpe_dst').replace(/-/g, '_');

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    pg.createDatabase(target);
  });
  afterAll(() => {
    pg.psql('postgres', `DROP DATABASE IF EXISTS "${target}" WITH (FORCE)`);
  });

  it("shows psql's error line, though the restore was still writing when psql stopped", async () => {
    const key = backupKey({
      prefix: 'backups',
      project: 'app',
      environment: 'prod',
      dbname: 'fails',
      time: new Date(),
    });
    // A failing statement early, then ~40 MB more SQL that psql never reads.
    const sql =
      'CREATE TABLE public.half (id int);\nSELECT 1 / 0;\n' +
      `-- ${'x'.repeat(97)}\n`.repeat(400_000) +
      `--\n${PG_DUMP_COMPLETE}\n--\n`;
    const body = gzipSync(sql);
    const sha = createHash('sha256').update(body).digest('hex');
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: `${key}.sha256`, Body: `${sha}  x.sql.gz\n` }));
    const out = captureReporter(true);
    const err = await BACKUP_COMMANDS.restore(
      inputsFrom({ bucket, key, 'target-url': pg.urlFor(target), yes: true }),
      out.reporter,
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(OpsError);
    expect((err as Error).message).toMatch(/ERROR: {2}division by zero/);
    expect(pg.psql(target, `SELECT to_regclass('public.half') IS NULL`)).toBe('t');
  });
});
