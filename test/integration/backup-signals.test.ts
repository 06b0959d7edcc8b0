/**
 * Issue #12 item 4: SIGTERM/SIGINT (what a cancelled GitHub run and Ctrl-C send) during a multi-hundred-MB backup,
 * sent to a real CLI process: pg_dump stops, the multipart upload is aborted, exit 143/130 with one line.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { pg, uniqueName, useLabAws } from '../lab/shared.js';

const cli = path.join(import.meta.dirname, '..', '..', 'bin', 'shisha-ops.js');

describe('a backup cancelled by a signal', () => {
  const bucket = uniqueName('backup-signal');
  const db = uniqueName('huge').replace(/-/g, '_');

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    pg.createDatabase(db);
    // About 300 MB of SQL, made fast on the server.
    pg.psql(
      db,
      `CREATE TABLE public.big AS SELECT g AS id, md5(g::text) || md5((g + 1)::text) AS a, md5((g + 2)::text) AS b FROM generate_series(1, 3000000) AS g`,
    );
  }, 300_000);
  afterAll(() => {
    pg.psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  });

  async function cancelMidUpload(signal: 'SIGTERM' | 'SIGINT'): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(
      process.execPath,
      [cli, 'backup', 'run', '--bucket', bucket, '--project', 'shisha-log', '--compression-level', '1', '--no-verify'],
      {
        env: { ...process.env, DATABASE_URL: pg.urlFor(db) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    // Signal once the multipart upload is under way (a part is being sent), as a cancel in the middle of a run.
    let running = true;
    void exited.then(() => (running = false));
    while (running) {
      const open = await s3Client().send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      if ((open.Uploads ?? []).length) break;
      await sleep(50);
    }
    expect(running).toBe(true);
    child.kill(signal);
    return { code: await exited, stderr };
  }

  async function pgDumpSessions(): Promise<number> {
    // The server may take a moment to notice pg_dump's connection closed.
    for (let i = 0; i < 100; i++) {
      const n = Number(
        pg.psql(
          'postgres',
          `SELECT count(*) FROM pg_stat_activity WHERE datname = '${db}' AND application_name = 'pg_dump'`,
        ),
      );
      if (n === 0) return 0;
      await sleep(100);
    }
    return 1;
  }

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s: stops pg_dump, aborts the upload, exits %i with one line, leaves no object',
    async (signal, code) => {
      const res = await cancelMidUpload(signal);
      expect(res.code).toBe(code);
      const lines = res.stderr.split('\n').filter((l) => l.trim());
      expect(lines).toEqual([expect.stringContaining(`cancelled by ${signal}: the backup was stopped`)]);
      expect(res.stderr).not.toContain(pg.password);
      const s3 = s3Client();
      expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
      expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).toEqual([]);
      expect(await pgDumpSessions()).toBe(0);
    },
  );
});
