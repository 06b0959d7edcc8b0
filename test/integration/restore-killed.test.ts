/**
 * A restore whose own process dies midway (SIGKILL: no handler runs, as when a runner is torn down) must commit
 * nothing: psql then reads the end of its input, and a script that ends is committed by `psql --single-transaction`
 * (even in the middle of a COPY), so the restore opens the transaction itself and commits only after every check.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';
import { s3Client } from '../../src/core/aws.js';
import { inputsFrom } from '../../src/core/inputs.js';
import { captureReporter } from '../lab/capture.js';
import { pg, uniqueName, useLabAws } from '../lab/shared.js';

const cli = path.join(import.meta.dirname, '..', '..', 'bin', 'shisha-ops.js');

describe('a restore whose process is killed midway', () => {
  const bucket = uniqueName('restore-killed');
  const source = uniqueName('rk_src').replace(/-/g, '_');
  const target = uniqueName('rk_dst').replace(/-/g, '_');
  let key = '';

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    pg.createDatabase(source);
    // About 100 MB of SQL: COPY takes long enough to be caught in the middle.
    pg.psql(
      source,
      `CREATE TABLE public.big AS SELECT g AS id, md5(g::text) || md5((g + 1)::text) AS a FROM generate_series(1, 1200000) AS g`,
    );
    const out = captureReporter(true);
    const res = await BACKUP_COMMANDS.run(
      inputsFrom({
        'database-url': pg.urlFor(source),
        bucket,
        project: 'shisha-log',
        'compression-level': 1,
        verify: false,
      }),
      out.reporter,
    );
    key = res.key;
    pg.createDatabase(target);
  }, 300_000);
  afterAll(() => {
    for (const db of [source, target]) pg.psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  });

  const sessions = (what: string) =>
    Number(pg.psql('postgres', `SELECT count(*) FROM pg_stat_activity WHERE datname = '${target}' AND ${what}`) || '0');

  it('leaves the target as it was: nothing of the backup is committed', async () => {
    const child = spawn(process.execPath, [cli, 'backup', 'restore', '--bucket', bucket, '--key', key, '--yes'], {
      env: { ...process.env, TARGET_URL: pg.urlFor(target) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_c, s) => resolve(s)));
    let running = true;
    void exited.then(() => (running = false));
    // Wait until psql is inside the COPY of the big table, then kill the restoring process outright.
    while (running && sessions(`query LIKE 'COPY %big%'`) === 0) await sleep(20);
    expect(stderr).toBe('');
    expect(running).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // psql reads the end of its input and ends its session; the server then has nothing of ours running.
    while (sessions('pid <> pg_backend_pid()') > 0) await sleep(50);
    expect(pg.psql(target, `SELECT coalesce(to_regclass('public.big')::text, 'absent')`)).toBe('absent');
  });
});
