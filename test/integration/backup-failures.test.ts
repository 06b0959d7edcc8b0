import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { InputError, OpsError } from '../../src/core/errors.js';
import { inputsFrom } from '../../src/core/inputs.js';
import { backupKey } from '../../src/backup/naming.js';
import { motoUrl, pg, uniqueName, useLabAws } from '../lab/shared.js';
import { FaultProxy } from '../lab/fault-proxy.js';
import { captureReporter } from '../lab/capture.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';

const run = promisify(execFile);

const capture = () => captureReporter(true);

async function bucketState(bucket: string): Promise<{ objects: string[]; uploads: string[] }> {
  const s3 = s3Client();
  const objs = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const ups = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return {
    objects: (objs.Contents ?? []).map((o) => o.Key ?? ''),
    uploads: (ups.Uploads ?? []).map((u) => u.Key ?? ''),
  };
}

const PASSWORD_LIKE = 'Pa55-w0rd%2Fsecret';

describe('db-backup refuses bad input and leaves nothing behind on failure', () => {
  const bucket = uniqueName('backup-fail');
  const db = uniqueName('big').replace(/-/g, '_');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'backup-fail-'));
  let outputs = '';

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    pg.createDatabase(db);
    // ~30 MB of random bytes: hex in the dump does not shrink much, so the upload needs several 5 MB parts.
    pg.psql(
      db,
      `CREATE EXTENSION pgcrypto; CREATE TABLE blobs AS SELECT g AS id, gen_random_bytes(1024) AS data FROM generate_series(1, 30000) AS g`,
    );
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
    pg.psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    // Whatever any test printed, the lab's password never appeared.
    expect(outputs).not.toContain(pg.password);
    expect(outputs).not.toContain(PASSWORD_LIKE);
  });

  async function failing(
    inputs: Record<string, string>,
    opts: Parameters<typeof BACKUP_COMMANDS.run>[2] = {},
  ): Promise<{ err: Error; text: string }> {
    const out = capture();
    const err = await BACKUP_COMMANDS.run(inputsFrom({ bucket, project: 'app', ...inputs }), out.reporter, opts).then(
      () => new Error('expected the backup to fail'),
      (e: Error) => e,
    );
    outputs += out.text() + '\n' + err.message;
    return { err, text: out.text() };
  }

  it('rejects a malformed URL as bad input without quoting it', async () => {
    const { err } = await failing({
      'database-url': `postgresql://app:${PASSWORD_LIKE}@db.example.com:54x32/postgres`,
    });
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^Input 'database-url': expected a URL/);
    expect(err.message).not.toContain(PASSWORD_LIKE);
    const other = await failing({ 'database-url': `mysql://app:${PASSWORD_LIKE}@db.example.com/x` });
    expect(other.err.message).toContain('postgresql://');
  });

  it("refuses Supabase's transaction pooler on 6543 and points to the session pooler on 5432", async () => {
    const { err } = await failing({
      'database-url': `postgresql://postgres.abc:${PASSWORD_LIKE}@aws-0-ap-northeast-1.pooler.supabase.com:6543/postgres`,
    });
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/6543.*session pooler on port 5432/);
  });

  it('refuses a pg_dump older than the server and names the client package to install', async () => {
    const bin = path.join(tmp, 'bin');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 14.11"\n');
    chmodSync(path.join(bin, 'pg_dump'), 0o755);
    const saved = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${saved}`;
    try {
      const { err } = await failing({ 'database-url': pg.urlFor(db) }, { pgLibDir: path.join(tmp, 'no-such-lib') });
      expect(err).toBeInstanceOf(OpsError);
      expect(err.message).toContain(
        `install postgresql-client-${pg.major} (apt-get install postgresql-client-${pg.major}`,
      );
      expect(err.message).toContain('installed: 14');
    } finally {
      process.env.PATH = saved;
    }
    expect(await bucketState(bucket)).toEqual({ objects: [], uploads: [] });
  });

  it('says it cannot connect (wrong password) without showing the password', async () => {
    const url = pg.urlFor(db).replace(encodeURIComponent(pg.password), encodeURIComponent(PASSWORD_LIKE));
    const { err } = await failing({ 'database-url': url });
    expect(err.message).toMatch(/could not connect to the database.*password authentication failed/);
  });

  it('aborts when pg_dump fails and shows its stderr', async () => {
    const { err, text } = await failing({
      'database-url': pg.urlFor(db),
      'pg-dump-args': '--strict-names --table=no_such_table',
    });
    expect(err).toBeInstanceOf(OpsError);
    expect(err.message).toMatch(/^pg_dump exited with code 1: .*no matching tables were found.*nothing was stored$/);
    expect(text).toContain('pg_dump stderr:');
    expect(await bucketState(bucket)).toEqual({ objects: [], uploads: [] });
  });

  it('leaves no object and no open multipart upload when pg_dump is killed mid-stream', async () => {
    let killed = false;
    const { err } = await failing(
      { 'database-url': pg.urlFor(db), 'compression-level': '1' },
      {
        partSize: 5 * 1024 * 1024,
        onDumpStarted: (pid) => {
          // Kill pg_dump once the multipart upload is under way (at least one part is being sent).
          const poll = setInterval(() => {
            void s3Client()
              .send(new ListMultipartUploadsCommand({ Bucket: bucket }))
              .then((r) => {
                if (!killed && (r.Uploads ?? []).length > 0) {
                  killed = true;
                  clearInterval(poll);
                  process.kill(pid, 'SIGKILL');
                }
              });
          }, 20);
          setTimeout(() => clearInterval(poll), 60_000).unref();
        },
      },
    );
    expect(killed).toBe(true);
    expect(err.message).toMatch(/^pg_dump was killed by SIGKILL.*nothing was stored/);
    expect(await bucketState(bucket)).toEqual({ objects: [], uploads: [] });
  });

  it('finds a missing bucket before pg_dump starts', async () => {
    let pid = 0;
    const { err } = await failing(
      { 'database-url': pg.urlFor(db), bucket: 'no-such-bucket-for-backups' },
      { onDumpStarted: (p) => (pid = p) },
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      "Input 'bucket': bucket 'no-such-bucket-for-backups' does not exist (ListObjectsV2: NoSuchBucket); nothing was dumped",
    );
    expect(pid).toBe(0); // pg_dump never ran
  });

  it('names the missing bucket first when the database is unreachable too (the checks run at once)', async () => {
    const down = new URL(pg.urlFor(db));
    down.port = '1'; // nothing listens there: psql fails at once, likely before the bucket check answers
    const { err } = await failing({ 'database-url': down.href, bucket: 'no-such-bucket-for-backups' });
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/^Input 'bucket': bucket 'no-such-bucket-for-backups' does not exist/);
  });

  /**
   * A scratch target database, and a backup of database `dbname` in the bucket that would create the table
   * should_not_exist, with a `.sha256` sidecar recording `sha256` (default: the backup's own).
   */
  async function backupAndTarget(dbname: string, sha256?: string): Promise<{ target: string; key: string }> {
    const target = uniqueName('target').replace(/-/g, '_');
    pg.createDatabase(target);
    const key = backupKey({ prefix: 'backups', project: 'shisha-log', environment: 'prod', dbname, time: new Date() });
    const body = gzipSync('CREATE TABLE should_not_exist (id int);\n');
    const recorded = sha256 ?? createHash('sha256').update(body).digest('hex');
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await s3Client().send(
      new PutObjectCommand({ Bucket: bucket, Key: `${key}.sha256`, Body: `${recorded}  x.sql.gz\n` }),
    );
    return { target, key };
  }

  it('restores only with confirmation, and never commits a backup whose checksum does not match', async () => {
    const { target, key } = await backupAndTarget('tampered', '0'.repeat(64));
    const out = capture();
    const inputs = { bucket, key, 'target-url': pg.urlFor(target) };
    // No terminal and no --yes: refused as bad input (exit 2) before anything runs.
    const refused = await BACKUP_COMMANDS.restore(inputsFrom(inputs), out.reporter, async () => undefined).catch(
      (e: Error) => e,
    );
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as Error).message).toMatch(/^Input 'yes': .*pass --yes/);
    // A wrong answer on the terminal is refused too.
    const wrong = await BACKUP_COMMANDS.restore(inputsFrom(inputs), out.reporter, async () => 'postgres').catch(
      (e: Error) => e,
    );
    expect(wrong).toBeInstanceOf(InputError);
    // The database name alone (`postgres` on every Supabase project) does not confirm: the target's host and database do.
    const nameOnly = await BACKUP_COMMANDS.restore(inputsFrom(inputs), out.reporter, async () => target).catch(
      (e: Error) => e,
    );
    expect((nameOnly as Error).message).toBe(
      `Input 'yes': not confirmed (expected '${pg.host}:${pg.port}/${target}' to be typed); nothing was restored`,
    );
    // Confirmed, but the object does not match its checksum: psql is stopped before it can commit.
    const bad = await BACKUP_COMMANDS.restore(
      inputsFrom(inputs),
      out.reporter,
      async () => `${pg.host}:${pg.port}/${target}`,
    ).catch((e: Error) => e);
    expect(bad).toBeInstanceOf(OpsError);
    expect((bad as Error).message).toMatch(/sha256 is [0-9a-f]{64}, the backup recorded 0{64}.*nothing was restored/);
    expect(pg.psql(target, `SELECT count(*) FROM pg_tables WHERE tablename = 'should_not_exist'`)).toBe('0');
    outputs += out.text();
    pg.psql('postgres', `DROP DATABASE IF EXISTS "${target}" WITH (FORCE)`);
  });

  it('a backup whose download is refused leaves no psql behind: nothing connected to the target, nothing restored', async () => {
    const { target, key } = await backupAndTarget('unreadable');
    // GetObject of the backup itself is denied (a KMS key or a policy the restoring role lacks); its sidecar is not.
    const proxy = new FaultProxy(motoUrl()).inject({ method: 'GET', path: /unreadable[^/]*\.sql\.gz$/, fault: '403' });
    process.env.AWS_ENDPOINT_URL_S3 = await proxy.start();
    const out = capture();
    try {
      const err = await BACKUP_COMMANDS.restore(
        inputsFrom({ bucket, key, 'target-url': pg.urlFor(target), yes: true }),
        out.reporter,
      ).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/AccessDenied|Access Denied/);
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = motoUrl();
      await proxy.stop();
    }
    await sleep(500); // a psql started before the download would have connected by now
    expect(pg.psql('postgres', `SELECT count(*) FROM pg_stat_activity WHERE datname = '${target}'`)).toBe('0');
    expect(pg.psql(target, `SELECT count(*) FROM pg_tables WHERE tablename = 'should_not_exist'`)).toBe('0');
    outputs += out.text();
    pg.psql('postgres', `DROP DATABASE IF EXISTS "${target}" WITH (FORCE)`);
  });

  it('prunes only old backups under the prefix, keeping the newest and anything that is not a backup', async () => {
    const s3 = s3Client();
    const pb = uniqueName('backup-prune');
    await s3.send(new CreateBucketCommand({ Bucket: pb }));
    const now = new Date('2026-03-15T00:00:00Z');
    const at = (days: number, prefix = 'backups') =>
      backupKey({
        prefix,
        project: 'shisha-log',
        environment: 'prod',
        dbname: 'postgres',
        time: new Date(now.getTime() - days * 86400_000),
      });
    const keys = [
      at(1),
      at(20),
      at(40),
      `${at(40)}.sha256`,
      at(100),
      at(400),
      at(100, 'other'),
      'backups/README.txt',
      `${at(100)}.bak`,
    ];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: pb, Key, Body: 'x' }));
    const out = capture();
    const { pruned: dry } = await BACKUP_COMMANDS.prune(
      inputsFrom({ bucket: pb, 'older-than-days': 30, 'dry-run': true }),
      out.reporter,
      now,
    );
    expect(dry.map((b) => b.key)).toEqual([at(40), at(100), at(400)]);
    expect((await bucketState(pb)).objects).toHaveLength(keys.length);
    await BACKUP_COMMANDS.prune(inputsFrom({ bucket: pb, 'older-than-days': 30 }), out.reporter, now);
    expect((await bucketState(pb)).objects.sort()).toEqual(
      [at(1), at(20), at(100, 'other'), 'backups/README.txt', `${at(100)}.bak`].sort(),
    );
    // keep: the newest backups stay whatever their age.
    await BACKUP_COMMANDS.prune(
      inputsFrom({ bucket: pb, 'older-than-days': 1, keep: 1 }),
      out.reporter,
      new Date('2030-01-01T00:00:00Z'),
    );
    expect((await bucketState(pb)).objects).toContain(at(1));
    expect((await bucketState(pb)).objects).not.toContain(at(20));
    const noPrefix = await BACKUP_COMMANDS.prune(
      inputsFrom({ bucket: pb, prefix: '/', 'older-than-days': 1 }),
      out.reporter,
    ).catch((e: Error) => e);
    expect(noPrefix).toBeInstanceOf(InputError);
  });

  it('the CLI exits 2 on bad input and 2 for a restore without --yes off a terminal, printing no password', async () => {
    const cli = path.join(import.meta.dirname, '..', '..', 'bin', 'shisha-ops.js');
    const url = `postgresql://postgres:${PASSWORD_LIKE}@db.example.com:6543/postgres`;
    const a = await run(process.execPath, [
      cli,
      'backup',
      'run',
      '--database-url',
      url,
      '--bucket',
      bucket,
      '--project',
      'app',
    ]).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((a as { code: number }).code).toBe(2);
    const textA = (a as { stdout: string }).stdout + (a as { stderr: string }).stderr;
    expect(textA).toContain('session pooler on port 5432');
    const b = await run(
      process.execPath,
      [
        cli,
        'backup',
        'restore',
        '--bucket',
        bucket,
        '--key',
        'backups/x.sql.gz',
        '--target-url',
        pg.urlFor('postgres'),
      ],
      {
        env: { ...process.env },
      },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((b as { code: number }).code).toBe(2);
    const textB = (b as { stdout: string }).stdout + (b as { stderr: string }).stderr;
    expect(textB).toContain('pass --yes');
    outputs += textA + textB;
  });
});
