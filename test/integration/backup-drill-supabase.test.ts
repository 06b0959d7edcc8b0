/**
 * Issue #11: the restore drill on Supabase-shaped projects. A backup of a Supabase-shaped source is drilled into a
 * fresh Supabase-shaped project as the non-superuser `postgres` (what backup.yml does with supabase/postgres), into
 * plain PostgreSQL after the bootstrap, and fails on a tampered copy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import type { BackupManifest } from '../../src/backup/manifest.js';
import { runCaptured } from '../lab/capture.js';
import { startPostgres, type Postgres } from '../lab/postgres.js';
import { uniqueName, useLabAws } from '../lab/shared.js';
import { startSupabasePostgres, type SupabaseProject } from '../lab/supabase.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';

const get = async (bucket: string, key: string) => {
  const r = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
};

describe('restore drill of a Supabase-mode backup', () => {
  const bucket = uniqueName('drill-supa');
  let source: SupabaseProject;
  let fresh: SupabaseProject;
  let fresh2: SupabaseProject;
  let plain: Postgres;
  let key = '';

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    [source, fresh, fresh2, plain] = await Promise.all([
      startSupabasePostgres(),
      startSupabasePostgres(),
      startSupabasePostgres(),
      startPostgres(),
    ]);
    source.psql(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'supabase-app.sql'), 'utf8'));
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.run(i, r).then(() => undefined), {
      project: 'shisha-log',
      'database-url': source.url,
      bucket,
    });
    expect(run.code).toBe(0);
    key = run.outputs.get('key')!;
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), fresh?.stop(), fresh2?.stop(), plain?.stop()]);
  });

  it('the manifest counts the app, auth and storage data from the dump stream', async () => {
    const m = JSON.parse((await get(bucket, `${key}.manifest.json`)).toString('utf8')) as BackupManifest;
    const names = m.tables.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['auth.users', 'storage.objects', 'public.sessions', 'public.profiles']),
    );
    expect(names).not.toContain('auth.schema_migrations');
    expect(m.tables.find((t) => t.name === 'public.sessions')?.rows).toBe(40);
  });

  it('passes into a fresh Supabase-shaped project, restoring as the non-superuser postgres', async () => {
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.drill(i, r).then(() => undefined), {
      bucket,
      key,
      'target-url': fresh.url,
    });
    expect(run.err).not.toMatch(/ERROR|error:/);
    expect(run.code).toBe(0);
    expect(run.outputs.get('drill')).toBe('passed');
    const table = run.reporter.sections.find((s) => s.title.startsWith('Restore drill'))!.table!;
    expect(table).toEqual(
      expect.arrayContaining([
        ['public.sessions', '40', '40', 'yes'],
        ['public.profiles', '2', '2', 'yes'],
      ]),
    );
    expect(table.slice(1).every((r) => r[3] === 'yes')).toBe(true);
  });

  it('passes into plain PostgreSQL 15 after the bootstrap', async () => {
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.drill(i, r).then(() => undefined), {
      bucket,
      key,
      'target-url': plain.createDatabase('drill'),
      bootstrap: true,
    });
    expect(run.err).not.toMatch(/ERROR|error:/);
    expect(run.code).toBe(0);
    expect(run.outputs.get('drill')).toBe('passed');
  });

  it('refuses a project that is in use, and fails on a tampered copy without committing anything', async () => {
    const used = await runCaptured((i, r) => BACKUP_COMMANDS.drill(i, r).then(() => undefined), {
      bucket,
      key,
      'target-url': fresh.url,
    });
    expect(used.code).toBe(2);
    expect(used.err).toMatch(/holds user tables|already has rows in/);

    const sql = gunzipSync(await get(bucket, key)).toString('utf8');
    const tampered = sql.replace(/(COPY "public"\."sessions" [^\n]*\n[^\n]*?)\t/, '$1\t9');
    expect(tampered).not.toBe(sql);
    const gz = gzipSync(tampered);
    const bad =
      key
        .replace(/\.sql\.gz$/, '')
        .replace(/_(\d{6})$/, (_m, t: string) => `_${String((Number(t) + 1) % 240000).padStart(6, '0')}`) + '.sql.gz';
    const sha = createHash('sha256').update(gz).digest('hex');
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: bad, Body: gz }));
    await s3Client().send(
      new PutObjectCommand({ Bucket: bucket, Key: `${bad}.sha256`, Body: `${sha}  ${bad.split('/').pop()}\n` }),
    );
    await s3Client().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${bad}.manifest.json`,
        Body: await get(bucket, `${key}.manifest.json`),
      }),
    );
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.drill(i, r).then(() => undefined), {
      bucket,
      key: bad,
      'target-url': fresh2.url,
    });
    expect(run.code).toBe(1);
    expect(run.outputs.get('drill')).toBe('failed');
    expect(run.err).toContain('public.sessions (same row count, different data)');
    expect(fresh2.psql(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`)).toBe('0');
  });
});
