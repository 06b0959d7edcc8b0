/**
 * Issue #11 (manifest, drill, check) and #12 items 1-3 and 5 (restore safety) against PostgreSQL 15 and moto_server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { backupKey } from '../../src/backup/naming.js';
import type { BackupManifest } from '../../src/backup/manifest.js';
import { runCaptured } from '../lab/capture.js';
import { pg, uniqueName, useLabAws } from '../lab/shared.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';

const APP = `
CREATE TYPE public.kind AS ENUM ('fruit', 'mint', '甘い');
CREATE TABLE public.flavors (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, kind public.kind NOT NULL,
  logo bytea, rating double precision, added timestamptz NOT NULL DEFAULT '2026-01-05 09:00:00+09', tags text[]);
INSERT INTO public.flavors (name, kind, logo, rating, tags) VALUES
  ('ダブルアップル', 'fruit', '\\x00ff10'::bytea, 4.25, '{甘い,定番}'),
  ('Mint "ice"', 'mint', NULL, 0.1, '{}'),
  (E'tab\\there, back\\\\slash and\\nnewline', '甘い', '\\xdeadbeef'::bytea, NULL, NULL);
CREATE TABLE public.sessions (id serial PRIMARY KEY, flavor_id bigint REFERENCES public.flavors(id), memo text);
INSERT INTO public.sessions (flavor_id, memo) SELECT 1 + g % 3, 'セッション ' || g FROM generate_series(1, 2000) AS g;
CREATE TABLE public.empty_one (id int);
`;

function fetchText(bucket: string, key: string): Promise<string> {
  return s3Client()
    .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    .then((r) => r.Body!.transformToString());
}
async function fetchBytes(bucket: string, key: string): Promise<Buffer> {
  const r = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Stores a hand-made backup object, with a matching `.sha256` and/or a manifest when given. */
async function put(
  bucket: string,
  name: string,
  gz: Buffer,
  extra: { sidecar?: boolean; manifest?: BackupManifest } = {},
): Promise<string> {
  const key = backupKey({
    prefix: 'backups',
    project: 'shisha-log',
    environment: 'prod',
    dbname: name,
    time: new Date(),
  });
  const s3 = s3Client();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gz }));
  if (extra.sidecar)
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${key}.sha256`, Body: `${sha(gz)}  ${key.split('/').pop()}\n` }),
    );
  if (extra.manifest)
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${key}.manifest.json`,
        Body: JSON.stringify({ ...extra.manifest, sha256: sha(gz) }),
      }),
    );
  return key;
}

const tablesOf = (db: string) => pg.psql(db, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`);

describe('manifest, drill, check and restore safety', () => {
  const bucket = uniqueName('backup-drill');
  const source = uniqueName('app').replace(/-/g, '_');
  const scratch: string[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'backup-drill-'));
  let key = '';
  let manifest: BackupManifest;
  let sql = '';

  const freshDb = (name: string) => {
    const db = uniqueName(name).replace(/-/g, '_');
    scratch.push(db);
    pg.createDatabase(db);
    return db;
  };

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    pg.createDatabase(source);
    pg.psql(source, APP);
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.run(i, r).then(() => undefined), {
      project: 'shisha-log',
      'database-url': pg.urlFor(source),
      bucket,
    });
    expect(run.code).toBe(0);
    key = run.outputs.get('key')!;
    manifest = JSON.parse(await fetchText(bucket, `${key}.manifest.json`)) as BackupManifest;
    sql = gunzipSync(await fetchBytes(bucket, key)).toString('utf8');
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
    for (const db of [source, ...scratch]) pg.psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  });

  it('records a manifest next to the backup: rows and a data checksum per table, versions, sizes, the source', async () => {
    const gz = await fetchBytes(bucket, key);
    expect(manifest).toMatchObject({
      format: 'shisha-ops-backup-manifest/1',
      file: key.split('/').pop(),
      database: source,
      sha256: sha(gz),
      compressedSize: gz.length,
      uncompressedSize: Buffer.byteLength(sql),
      serverVersion: expect.stringMatching(/^15\.\d+$/),
      pgDumpVersion: expect.stringMatching(/^1[5-9]\.\d+$/),
      source: { databaseOid: pg.psql(source, `SELECT oid FROM pg_database WHERE datname = current_database()`) },
    });
    expect(manifest.tables.map((t) => [t.name, t.rows])).toEqual([
      ['public.empty_one', 0],
      ['public.flavors', 3],
      ['public.sessions', 2000],
    ]);
    // The checksum is of the COPY data exactly as the dump holds it.
    const block = /COPY "public"\."sessions" \([^)]*\) FROM stdin;\n([\s\S]*?)\\\.\n/.exec(sql)![1]!;
    expect(manifest.tables[2]!.sha256).toBe(sha(Buffer.from(block)));
    // The .sha256 sidecar stays, in sha256sum format.
    expect(await fetchText(bucket, `${key}.sha256`)).toBe(`${sha(gz)}  ${key.split('/').pop()}\n`);
    // The SQL is framed by our own first and last lines (the last written only after pg_dump exited 0).
    expect(sql.split('\n')[0]).toMatch(/^-- shisha-ops backup/);
    expect(sql.trimEnd().split('\n').pop()).toBe('-- shisha-ops backup complete');
  });

  it('`backup drill` restores into an empty database and compares every table: passed', async () => {
    const target = freshDb('drill');
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.drill(i, r).then(() => undefined), {
      bucket,
      key,
      'target-url': pg.urlFor(target),
    });
    expect(run.code).toBe(0);
    expect(run.outputs.get('drill')).toBe('passed');
    expect(run.outputs.get('drill-tables')).toBe('3');
    const section = run.reporter.sections.find((s) => s.title.startsWith('Restore drill'));
    expect(section?.table).toEqual([
      ['Table', 'Rows expected', 'Rows restored', 'Match'],
      ['public.empty_one', '0', '0', 'yes'],
      ['public.flavors', '3', '3', 'yes'],
      ['public.sessions', '2000', '2000', 'yes'],
    ]);
    expect(pg.psql(target, `SELECT name FROM public.flavors WHERE kind = '甘い'`)).toBe(
      'tab\there, back\\slash and\nnewline',
    );
    expect(run.all).not.toContain(pg.password);
  });

  it('the drill never restores into the source, even by another host name, nor into a database that holds tables', async () => {
    const viaLocalhost = pg.urlFor(source).replace('127.0.0.1', 'localhost');
    const same = await runCaptured((i, r) => BACKUP_COMMANDS.drill(i, r).then(() => undefined), {
      bucket,
      key,
      'target-url': viaLocalhost,
    });
    expect(same.code).toBe(2);
    expect(same.err).toContain(
      `Input 'target-url': localhost:${pg.port}/${source} is the database this backup was taken from`,
    );
    const used = freshDb('used');
    pg.psql(used, 'CREATE TABLE public.precious (id int)');
    const busy = await runCaptured((i, r) => BACKUP_COMMANDS.drill(i, r).then(() => undefined), {
      bucket,
      key,
      'target-url': pg.urlFor(used),
    });
    expect(busy.code).toBe(2);
    expect(busy.err).toContain('holds user tables (public.precious)');
  });

  it('the drill fails on a tampered backup (same row count, other data, matching .sha256), and nothing is committed', async () => {
    const tampered = sql.replace('セッション 1999', 'セッション 9999');
    expect(tampered).not.toBe(sql);
    const k = await put(bucket, 'tampered', gzipSync(tampered), { sidecar: true, manifest });
    const target = freshDb('tampered');
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.drill(i, r).then(() => undefined), {
      bucket,
      key: k,
      'target-url': pg.urlFor(target),
    });
    expect(run.code).toBe(1);
    expect(run.outputs.get('drill')).toBe('failed');
    expect(run.err).toContain(
      'does not match its manifest: 1 table(s) differ from the manifest: public.sessions (same row count, different data)',
    );
    expect(tablesOf(target)).toBe('0');
  });

  it('#12.1 a dump cut at a gzip member boundary, sidecar deleted, is not restored', async () => {
    // Two gzip members; the object ends after the first: a valid gzip file holding half the SQL (mid COPY data).
    const cut = sql.indexOf('セッション 1000\n') + 'セッション 1000\n'.length;
    const target = freshDb('truncated');
    const noProof = await put(bucket, 'cut', gzipSync(sql.slice(0, cut)));
    const r1 = await runCaptured((i, r) => BACKUP_COMMANDS.restore(i, r).then(() => undefined), {
      bucket,
      key: noProof,
      'target-url': pg.urlFor(target),
      yes: true,
    });
    expect(r1.code).toBe(2);
    expect(r1.err).toContain("Input 'allow-unverified': ");
    expect(r1.err).toContain('has neither a .sha256 nor a .manifest.json');
    const r2 = await runCaptured((i, r) => BACKUP_COMMANDS.restore(i, r).then(() => undefined), {
      bucket,
      key: noProof,
      'target-url': pg.urlFor(target),
      yes: true,
      'allow-unverified': true,
    });
    expect(r2.code).toBe(1);
    expect(r2.err).toContain('the backup is incomplete: it ends inside the data of a COPY');
    expect(tablesOf(target)).toBe('0');
    // Cut exactly after pg_dump's own closing lines (our closing line missing): still incomplete.
    const afterPgDump = sql.slice(0, sql.lastIndexOf('-- shisha-ops backup complete'));
    const k3 = await put(bucket, 'cut2', gzipSync(afterPgDump), { manifest });
    const r3 = await runCaptured((i, r) => BACKUP_COMMANDS.restore(i, r).then(() => undefined), {
      bucket,
      key: k3,
      'target-url': pg.urlFor(target),
      yes: true,
    });
    expect(r3.code).toBe(1);
    expect(r3.err).toContain("its last line is not '-- shisha-ops backup complete'");
    expect(tablesOf(target)).toBe('0');
  });

  it('#12.2 a backup holding `\\! touch FILE` (with a matching sidecar) is refused at that line and FILE is not created', async () => {
    const file = path.join(tmp, 'pwned');
    const lines = sql.split('\n');
    const at = lines.findIndex((l) => l.startsWith('SET client_encoding'));
    lines.splice(at + 1, 0, `\\! touch ${file}`);
    const k = await put(bucket, 'hostile', gzipSync(lines.join('\n')), { sidecar: true });
    const target = freshDb('hostile');
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.restore(i, r).then(() => undefined), {
      bucket,
      key: k,
      'target-url': pg.urlFor(target),
      yes: true,
    });
    expect(run.code).toBe(1);
    expect(run.err).toContain(`at line ${at + 2}: a psql meta-command`);
    expect(run.err).toContain(`\\! touch ${file}`);
    expect(existsSync(file)).toBe(false);
    expect(tablesOf(target)).toBe('0');
    // The same text mid-line after a statement is a meta-command to psql too.
    lines[at + 1] = `SELECT 1; \\! touch ${file}`;
    const k2 = await put(bucket, 'hostile2', gzipSync(lines.join('\n')), { sidecar: true });
    const run2 = await runCaptured((i, r) => BACKUP_COMMANDS.restore(i, r).then(() => undefined), {
      bucket,
      key: k2,
      'target-url': pg.urlFor(target),
      yes: true,
    });
    expect(run2.code).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  it('#12.3 `backup test` asks both servers who they are (localhost vs 127.0.0.1 is the same) and refuses --clean', async () => {
    const viaLocalhost = pg.urlFor(source).replace('127.0.0.1', 'localhost');
    const same = await runCaptured((i, r) => BACKUP_COMMANDS.test(i, r), {
      project: 'shisha-log',
      'database-url': pg.urlFor(source),
      'target-url': viaLocalhost,
      bucket,
      yes: true,
    });
    expect(same.code).toBe(2);
    expect(same.err).toContain(`Input 'target-url': localhost:${pg.port}/${source} is the database being backed up`);
    const target = freshDb('selftest');
    const clean = await runCaptured((i, r) => BACKUP_COMMANDS.test(i, r), {
      project: 'shisha-log',
      'database-url': pg.urlFor(source),
      'target-url': pg.urlFor(target),
      bucket,
      yes: true,
      'pg-dump-args': '--clean',
    });
    expect(clean.code).toBe(2);
    expect(clean.err).toContain("Input 'pg-dump-args': '--clean'");
    expect(pg.psql(source, 'SELECT count(*) FROM public.sessions')).toBe('2000');
    // The drill after a backup (drill-url) refuses the source before dumping.
    const drillSame = await runCaptured((i, r) => BACKUP_COMMANDS.run(i, r).then(() => undefined), {
      project: 'shisha-log',
      'database-url': pg.urlFor(source),
      bucket,
      'drill-url': viaLocalhost,
    });
    expect(drillSame.code).toBe(2);
    expect(drillSame.err).toContain("Input 'drill-url': ");
  });

  it('#12.5 refuses prefixes outside a folder, and never overwrites a downloaded file without --force', async () => {
    for (const prefix of ['../x', '/', 'backups/../../etc', 'a//b']) {
      const run = await runCaptured((i, r) => BACKUP_COMMANDS.run(i, r).then(() => undefined), {
        project: 'shisha-log',
        'database-url': pg.urlFor(source),
        bucket,
        prefix,
      });
      expect(run.code).toBe(2);
      expect(run.err).toContain("Input 'prefix': expected a folder");
    }
    const file = path.join(tmp, 'mine.sql.gz');
    writeFileSync(file, 'precious');
    const refused = await runCaptured((i, r) => BACKUP_COMMANDS.download(i, r).then(() => undefined), {
      bucket,
      key,
      output: file,
    });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`Input 'output': ${file} already exists`);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    const forced = await runCaptured((i, r) => BACKUP_COMMANDS.download(i, r).then(() => undefined), {
      bucket,
      key,
      output: file,
      force: true,
    });
    expect(forced.code).toBe(0);
    expect(sha(readFileSync(file))).toBe(manifest.sha256);
  });

  it('after a backup, drill-url proves it and reports it as outputs', async () => {
    const target = freshDb('actiondrill');
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.run(i, r).then(() => undefined), {
      project: 'shisha-log',
      'database-url': pg.urlFor(source),
      bucket,
      'drill-url': pg.urlFor(target),
    });
    expect(run.code).toBe(0);
    expect(run.outputs.get('drill')).toBe('passed');
    expect(run.outputs.get('drill-tables')).toBe('3');
    expect(pg.psql(target, 'SELECT count(*) FROM public.sessions')).toBe('2000');
    // The manifest records the drill (what `shisha-ops status` shows next to the newest backup).
    const recorded = JSON.parse(await fetchText(bucket, `${run.outputs.get('key')}.manifest.json`)) as BackupManifest;
    expect(recorded.drill).toMatchObject({ result: 'passed', tables: 3 });
    expect(recorded.tables).toHaveLength(3);
  });

  it('a drill target that is down does not cost the backup: it is stored, then the drill fails', async () => {
    const run = await runCaptured((i, r) => BACKUP_COMMANDS.run(i, r).then(() => undefined), {
      project: 'shisha-log',
      'database-url': pg.urlFor(source),
      bucket,
      prefix: 'down',
      'drill-url': 'postgresql://postgres:x@127.0.0.1:1/postgres',
    });
    expect(run.code).toBe(1);
    expect(run.err).toContain('drill-url not reachable before the dump');
    expect(run.outputs.get('drill')).toBe('failed');
    const stored = run.outputs.get('key')!;
    expect(stored).toMatch(/^down\//);
    expect(JSON.parse(await fetchText(bucket, `${stored}.manifest.json`))).toMatchObject({
      file: stored.split('/').pop(),
      drill: { result: 'failed', tables: 0 },
    });
  });

  it('`backup check` passes on a fresh backup with its sidecars, fails when it is too old or lacks its manifest', async () => {
    const cb = uniqueName('backup-check');
    await s3Client().send(new CreateBucketCommand({ Bucket: cb }));
    const ok = await runCaptured((i, r) => BACKUP_COMMANDS.run(i, r).then(() => undefined), {
      project: 'shisha-log',
      'database-url': pg.urlFor(source),
      bucket: cb,
    });
    const newest = ok.outputs.get('key')!;
    const fresh = await runCaptured((i, r) => BACKUP_COMMANDS.check(i, r), { bucket: cb, 'max-age-days': '8' });
    expect(fresh.code).toBe(0);
    expect(fresh.outputs.get('latest-key')).toBe(newest);
    const old = await runCaptured((i, r) => BACKUP_COMMANDS.check(i, r, new Date(Date.now() + 9 * 86400_000)), {
      bucket: cb,
      'max-age-days': '8',
    });
    expect(old.code).toBe(1);
    expect(old.err).toMatch(/the newest backup .* is 9\.0 days old \(more than 8\)/);
    // A newer backup object whose run never wrote its sidecars.
    const later = backupKey({
      prefix: 'backups',
      project: 'shisha-log',
      environment: 'prod',
      dbname: source,
      time: new Date(Date.now() + 60_000),
    });
    await s3Client().send(new PutObjectCommand({ Bucket: cb, Key: later, Body: gzipSync('x') }));
    const missing = await runCaptured((i, r) => BACKUP_COMMANDS.check(i, r, new Date(Date.now() + 120_000)), {
      bucket: cb,
      'max-age-days': '8',
    });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`the newest backup ${later} has no .sha256 and no .manifest.json next to it`);
  });
});
