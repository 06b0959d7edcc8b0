import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { inputsFrom } from '../../src/core/inputs.js';
import { pg, uniqueName, useLabAws } from '../lab/shared.js';
import { captureReporter } from '../lab/capture.js';
import { startSupabasePostgres, type SupabaseProject } from '../lab/supabase.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';

/**
 * Large objects (pg_largeobject): one small, one of 100 KB (pg_dump writes it in several lowrite lines), one empty,
 * one with a comment and one with a grant, referenced from a table with an index.
 */
const largeObjectsSql = (grantee: string) => `
  CREATE TABLE public.docs (id int PRIMARY KEY, body oid);
  CREATE INDEX docs_body_idx ON public.docs (body);
  INSERT INTO public.docs VALUES
    (1, lo_from_bytea(0, convert_to('煙がしっかり', 'UTF8'))),
    (2, lo_from_bytea(0, (SELECT string_agg(sha256(int4send(g)), '') FROM generate_series(1, 3200) g))),
    (3, lo_from_bytea(0, ''));
  SELECT lo_put(body, 100000, '\\xff') FROM public.docs WHERE id = 2;
  DO $$ BEGIN
    EXECUTE format('COMMENT ON LARGE OBJECT %s IS ''the small one''', (SELECT body FROM public.docs WHERE id = 1));
    EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO ${grantee}', (SELECT body FROM public.docs WHERE id = 2));
  END $$;`;

/** Every large object's OID, size, md5, comment and ACL, and the table that points at them. */
const FINGERPRINT = `
  SELECT string_agg(format('%s %s %s %s %s', m.oid, length(lo_get(m.oid)), md5(lo_get(m.oid)),
      coalesce(obj_description(m.oid, 'pg_largeobject'), '-'), coalesce(m.lomacl::text, '-')), E'\\n' ORDER BY m.oid)
    || E'\\n' || (SELECT string_agg(id || ':' || body, ',' ORDER BY id) FROM public.docs)
  FROM pg_largeobject_metadata m`;

/** gunzip the file into psql, strictly, as the README says; returns psql's exit status and stderr. */
function manualRestore(file: string, url: string): { status: number | null; stderr: string } {
  const res = spawnSync(
    'bash',
    ['-o', 'pipefail', '-c', 'gunzip -c "$FILE" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction "$DATABASE_URL"'],
    { env: { ...process.env, FILE: file, DATABASE_URL: url }, encoding: 'utf8' },
  );
  return { status: res.status, stderr: res.stderr };
}

describe('large objects: backup → verify → restore with real pg_dump 15 output', () => {
  const bucket = uniqueName('backup-lo');
  const source = uniqueName('losrc').replace(/-/g, '_');
  const drill = uniqueName('lodrill').replace(/-/g, '_');
  const target = uniqueName('lodst').replace(/-/g, '_');
  const manual = uniqueName('lomanual').replace(/-/g, '_');
  const failing = uniqueName('lofail').replace(/-/g, '_');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'backup-lo-'));
  const out = captureReporter(true);
  let key = '';
  let want = '';

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    for (const db of [source, drill, target, manual, failing]) pg.createDatabase(db);
    pg.psql('postgres', `DO $$ BEGIN CREATE ROLE lo_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    pg.psql(source, largeObjectsSql('lo_reader'));
    want = pg.psql(source, FINGERPRINT);
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
    for (const db of [source, drill, target, manual, failing])
      pg.psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    expect(out.text()).not.toContain(pg.password);
  });

  it('backs up (with its verify and restore drill) a database with large objects', async () => {
    expect(want.split('\n')).toHaveLength(4);
    const res = await BACKUP_COMMANDS.run(
      inputsFrom({ 'database-url': pg.urlFor(source), 'drill-url': pg.urlFor(drill), bucket, project: 'lo' }),
      out.reporter,
    );
    key = res.key;
    expect(out.reporter.outputs.get('drill')).toBe('passed');
    expect(pg.psql(drill, FINGERPRINT)).toBe(want);
    await BACKUP_COMMANDS.verify(inputsFrom({ bucket, key }), out.reporter);
  });

  it('`backup restore` brings back every large object, its comment and its grant', async () => {
    await BACKUP_COMMANDS.restore(
      inputsFrom({ bucket, key, 'target-url': pg.urlFor(target), yes: true }),
      out.reporter,
    );
    expect(pg.psql(target, FINGERPRINT)).toBe(want);
  });

  it('the README restore by hand (gunzip | psql --single-transaction) brings them back too', async () => {
    const file = path.join(tmp, 'lo.sql.gz');
    await BACKUP_COMMANDS.download(inputsFrom({ bucket, key, output: file }), out.reporter);
    expect(manualRestore(file, pg.urlFor(manual)).status).toBe(0);
    expect(pg.psql(manual, FINGERPRINT)).toBe(want);
  });

  it('a restore that fails after the large-object data (pg_dump COMMITs it) leaves the target as it was', async () => {
    // The target already has a relation named like the source's index: CREATE INDEX fails after the data is in.
    pg.psql(failing, 'CREATE TABLE public.keep (id int); CREATE INDEX docs_body_idx ON public.keep (id)');
    const err = await BACKUP_COMMANDS.restore(
      inputsFrom({ bucket, key, 'target-url': pg.urlFor(failing), yes: true }),
      out.reporter,
    ).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/relation "docs_body_idx" already exists.*the transaction was rolled back/);
    expect(pg.psql(failing, 'SELECT count(*) FROM pg_largeobject_metadata')).toBe('0');
    expect(pg.psql(failing, `SELECT to_regclass('public.docs') IS NULL, to_regclass('public.keep') IS NOT NULL`)).toBe(
      't|t',
    );
  });
});

describe('large objects in Supabase mode', () => {
  let source: SupabaseProject;
  let target: SupabaseProject;
  const out = captureReporter(true);

  beforeAll(async () => {
    useLabAws();
    [source, target] = await Promise.all([startSupabasePostgres(), startSupabasePostgres()]);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('carries them: backup as postgres → restore into a fresh project as postgres', async () => {
    const bucket = uniqueName('backup-lo-supa');
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    source.psql(largeObjectsSql('authenticated'));
    const want = source.psql(FINGERPRINT);
    const { key } = await BACKUP_COMMANDS.run(
      inputsFrom({ 'database-url': source.url, bucket, project: 'lo' }),
      out.reporter,
    );
    expect(out.text()).toContain('Supabase mode (detected');
    await BACKUP_COMMANDS.restore(inputsFrom({ bucket, key, 'target-url': target.url, yes: true }), out.reporter);
    expect(target.psql(FINGERPRINT)).toBe(want);
    expect(out.text()).not.toContain(source.password);
  });
});
