import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { InputError } from '../../src/core/errors.js';
import { inputsFrom } from '../../src/core/inputs.js';
import { parseBackupKey } from '../../src/backup/naming.js';
import { pg, uniqueName, useLabAws } from '../lab/shared.js';
import { captureReporter } from '../lab/capture.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';

/** A terminal reporter whose output the test can read (to prove no password is printed). */
const capture = () => captureReporter(true);

/** Supabase's API roles exist cluster-wide in every Supabase database: create them if this cluster lacks them. */
function ensureSupabaseRoles(): void {
  for (const role of ['anon', 'authenticated', 'service_role']) {
    try {
      pg.psql(
        'postgres',
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF; END $$`,
      );
    } catch (err) {
      if (!/already exists/.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
    }
  }
}

const TABLES = ['auth.users', 'public.profiles', 'public.flavors', 'public.sessions'];

/** Row count and a checksum of every table's contents (rows as text, sorted). */
function dataFingerprint(db: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    out[t] = pg.psql(
      db,
      `SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM ${t} AS x`,
    );
  }
  out.sequence = pg.psql(db, `SELECT last_value FROM public.flavors_id_seq`);
  out.japanese = pg.psql(
    db,
    `SELECT display_name || ':' || favorite_tags::text || ':' || encode(avatar, 'hex') FROM public.profiles WHERE avatar IS NOT NULL`,
  );
  return out;
}

/** The schema as pg_dump sees it (minus the random \restrict key lines of recent minor releases). */
function schemaOf(db: string): string {
  const sql = execFileSync(
    path.join(pg.binDir, 'pg_dump'),
    ['--schema-only', '-h', pg.host, '-p', String(pg.port), '-U', pg.user, db],
    {
      encoding: 'utf8',
      env: { ...process.env, PGPASSWORD: pg.password },
    },
  );
  return sql
    .split('\n')
    .filter((l) => !/^\\(un)?restrict /.test(l))
    .join('\n');
}

describe('db-backup round trip against PostgreSQL 15 and moto_server', () => {
  const bucket = uniqueName('backup-rt');
  const source = uniqueName('src').replace(/-/g, '_');
  const scratch = uniqueName('restored').replace(/-/g, '_');
  const scratch2 = uniqueName('restored2').replace(/-/g, '_');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'backup-rt-'));
  const out = capture();
  let key = '';
  let sha256 = '';

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    ensureSupabaseRoles();
    pg.createDatabase(source);
    pg.psql(source, readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'backup-supabase-like.sql'), 'utf8'));
    pg.createDatabase(scratch);
    pg.createDatabase(scratch2);
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
    for (const db of [source, scratch, scratch2]) pg.psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  });

  it('dumps through gzip into an encrypted object named by project, environment, database and UTC time', async () => {
    const res = await BACKUP_COMMANDS.run(
      inputsFrom({
        'database-url': pg.urlFor(source),
        bucket,
        prefix: 'db/backups',
        project: 'shisha-log',
        environment: 'test',
      }),
      out.reporter,
    );
    key = res.key;
    sha256 = res.sha256;
    const name = parseBackupKey(key);
    expect(name).toMatchObject({ prefix: 'db/backups', project: 'shisha-log', environment: 'test', dbname: source });
    expect(Math.abs(name!.time.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    expect(key).toMatch(new RegExp(`^db/backups/\\d{4}/\\d{2}/shisha-log_test_${source}_\\d{8}_\\d{6}\\.sql\\.gz$`));
    expect(out.reporter.outputs.get('uri')).toBe(`s3://${bucket}/${key}`);

    const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ServerSideEncryption).toBe('AES256');
    expect(head.Metadata?.['server-version']).toMatch(/^15\.\d+$/);
    expect(head.Metadata?.database).toBe(source);
    expect(head.Metadata?.['pg-dump-version']).toMatch(/^1[5-9]\.\d+$/);
    // The checksum sits next to it in sha256sum format, with the sizes in its metadata.
    const side = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: `${key}.sha256` }));
    expect(await side.Body?.transformToString()).toBe(`${sha256}  ${key.split('/').pop()}\n`);
    expect(side.ServerSideEncryption).toBe('AES256');
    expect(Number(side.Metadata?.['compressed-size'])).toBe(head.ContentLength);
    expect(Number(side.Metadata?.['uncompressed-size'])).toBeGreaterThan(head.ContentLength ?? 0);
    const open = await s3Client().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('downloads the file with a matching sha256, and gunzip | psql restores identical schema and data', async () => {
    const file = path.join(tmp, key.split('/').pop()!);
    await BACKUP_COMMANDS.download(inputsFrom({ bucket, prefix: 'db/backups', key, output: file }), out.reporter);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(sha256);
    // The sidecar checks a downloaded file with the standard tool.
    const side = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: `${key}.sha256` }));
    writeFileSync(`${file}.sha256`, (await side.Body?.transformToString()) ?? '');
    expect(
      execFileSync('sha256sum', ['-c', `${path.basename(file)}.sha256`], { cwd: tmp, encoding: 'utf8' }),
    ).toContain(': OK');
    // `--output -` streams the same bytes to stdout (and keeps its own messages off stdout).
    const chunks: Buffer[] = [];
    const stdout = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) });
    await BACKUP_COMMANDS.download(
      inputsFrom({ bucket, prefix: 'db/backups', key, output: '-' }),
      out.reporter,
      stdout,
    );
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(sha256);
    // A directory (`make backup-download OUT=.`) receives the object's own file name; no --key means the newest.
    const dir = mkdtempSync(path.join(tmp, 'dir-'));
    const got = await BACKUP_COMMANDS.download(inputsFrom({ bucket, prefix: 'db/backups', output: dir }), out.reporter);
    expect(got.path).toBe(path.join(dir, key.split('/').pop()!));
    expect(createHash('sha256').update(readFileSync(got.path)).digest('hex')).toBe(sha256);

    // The team's recovery, literally: gunzip the file into psql on the database URL.
    execFileSync(
      'bash',
      ['-o', 'pipefail', '-c', 'gunzip -c "$FILE" | psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL"'],
      {
        env: { ...process.env, FILE: file, DATABASE_URL: pg.urlFor(scratch) },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    expect(schemaOf(scratch)).toBe(schemaOf(source));
    expect(dataFingerprint(scratch)).toEqual(dataFingerprint(source));
    expect(
      pg.psql(scratch, `SELECT count(*) FROM pg_policies WHERE 'anon' = ANY(roles) OR 'authenticated' = ANY(roles)`),
    ).toBe('5');
    expect(pg.psql(scratch, `SELECT memo FROM public.sessions ORDER BY (details->>'n')::int LIMIT 1`)).toBe(
      'セッション 1 回目: 煙がしっかり、甘さ控えめ',
    );
    // The trigger came back and works.
    pg.psql(scratch, `UPDATE public.profiles SET updated_at = '2000-01-01' WHERE display_name = '太郎'`);
    expect(pg.psql(scratch, `SELECT updated_at > '2001-01-01' FROM public.profiles WHERE display_name = '太郎'`)).toBe(
      't',
    );
  });

  it('lists it newest first, verifies it, and restores it with `backup restore --yes`', async () => {
    const { shown } = await BACKUP_COMMANDS.list(inputsFrom({ bucket, prefix: 'db/backups' }), out.reporter);
    expect(shown[0]?.key).toBe(key);
    const v = await BACKUP_COMMANDS.verify(inputsFrom({ bucket, prefix: 'db/backups', key }), out.reporter);
    expect(v.sha256).toBe(sha256);

    await BACKUP_COMMANDS.restore(
      inputsFrom({ bucket, prefix: 'db/backups', 'target-url': pg.urlFor(scratch2), yes: true }),
      out.reporter,
    );
    expect(dataFingerprint(scratch2)).toEqual(dataFingerprint(source));
  });

  it('`backup test` backs up, restores into a scratch database and compares the row count of every table', async () => {
    const scratch3 = uniqueName('selftest').replace(/-/g, '_');
    pg.createDatabase(scratch3);
    try {
      await BACKUP_COMMANDS.test(
        inputsFrom({
          'database-url': pg.urlFor(source),
          'target-url': pg.urlFor(scratch3),
          bucket,
          prefix: 'selftest',
          project: 'app',
          yes: true,
        }),
        out.reporter,
      );
      const section = out.reporter.sections.find((s) => s.title.startsWith('Backup test'));
      expect(section?.table?.slice(1)).toEqual(
        expect.arrayContaining([
          ['public.sessions', '500', '500', 'ok'],
          ['auth.users', '2', '2', 'ok'],
        ]),
      );
      const same = await BACKUP_COMMANDS.test(
        inputsFrom({
          'database-url': pg.urlFor(source),
          'target-url': pg.urlFor(source),
          bucket,
          project: 'app',
          yes: true,
        }),
        out.reporter,
      ).catch((e: Error) => e);
      expect(same).toBeInstanceOf(InputError);
    } finally {
      pg.psql('postgres', `DROP DATABASE IF EXISTS "${scratch3}" WITH (FORCE)`);
    }
  });

  it('never prints the database password', () => {
    expect(out.text()).toContain(key);
    expect(out.text()).not.toContain(pg.password);
    expect([...out.reporter.outputs.values()].join('\n')).not.toContain(pg.password);
  });
});
