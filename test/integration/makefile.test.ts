/**
 * The Makefile's targets as a user types them, against the lab: each is one line over the CLI, so this checks the
 * wiring (target names, variables, flags) end to end with the real `make`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { awsEnvFor } from '../lab/index.js';
import { LightsailFake } from '../lab/lightsail-fake.js';
import { motoUrl, pg, uniqueName } from '../lab/shared.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('Makefile targets', () => {
  const fake = new LightsailFake({ activationMs: 100 });
  let env: NodeJS.ProcessEnv;
  let bucket: string;
  let dbUrl: string;
  let scratchUrl: string;
  const out = mkdtempSync(path.join(os.tmpdir(), 'make-test-'));

  beforeAll(async () => {
    env = {
      ...process.env,
      ...awsEnvFor({ moto: motoUrl(), lightsail: await fake.start() }),
      SHISHA_OPS_POLL_MS: '50',
    };
    Object.assign(process.env, awsEnvFor({ moto: motoUrl() }));
    bucket = uniqueName('make-backups');
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    const db = uniqueName('make_src').replace(/-/g, '_');
    dbUrl = pg.createDatabase(db);
    pg.psql(
      db,
      "CREATE TABLE t (id int PRIMARY KEY, note text); INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 42) g",
    );
    scratchUrl = pg.createDatabase(`${db}_scratch`);
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(out, { recursive: true, force: true });
  });

  // Asynchronous, so this process keeps serving while make runs the CLI.
  const make = (args: string[], extraEnv: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('make', ['-s', '--no-print-directory', ...args], { cwd: root, env: { ...env, ...extraEnv } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });

  it('backup-test backs up DATABASE_URL, restores into the scratch database and compares row counts', async () => {
    const r = await make(['backup-test', `BACKUP_BUCKET=${bucket}`, 'PROJECT=make-test', `SCRATCH_URL=${scratchUrl}`], {
      DATABASE_URL: dbUrl,
    });
    expect(r.code).toBe(0);
    expect(pg.psql(new URL(scratchUrl).pathname.slice(1), 'SELECT count(*) FROM t')).toBe('42');
    expect(r.out).not.toContain(pg.password);
  });

  it('backup-list shows the backup, backup-download fetches the newest with its checksum checked', async () => {
    const list = await make(['backup-list', `BACKUP_BUCKET=${bucket}`]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/backups\/\d{4}\/\d{2}\/make-test_prod_make_src_\w+_\d{8}_\d{6}\.sql\.gz/);
    const dl = await make(['backup-download', `BACKUP_BUCKET=${bucket}`, `OUT=${out}`]);
    expect(dl.code).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.sql.gz'))).toHaveLength(1);
  });

  it('deploy-frontend builds the example SPA and deploys it', async () => {
    const site = uniqueName('make-site');
    await s3Client().send(new CreateBucketCommand({ Bucket: site }));
    const r = await make([
      'deploy-frontend',
      `BUCKET=${site}`,
      'DISTRIBUTION_ID=',
      'API_BASE_URL=https://app.example.com/api/v1',
    ]);
    expect(r.code).toBe(0);
    const again = await make([
      'deploy-frontend',
      `BUCKET=${site}`,
      'DISTRIBUTION_ID=',
      'API_BASE_URL=https://app.example.com/api/v1',
    ]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/uploaded\s+0\b/);
  });

  // A target without one of its variables stops before doing anything (no build, no docker, no CLI run) with one
  // line naming the variable and how to give it.
  it.each([
    ['deploy-frontend', [], 'BUCKET'],
    ['deploy-frontend', ['BUCKET=site'], 'API_BASE_URL'],
    ['build-frontend', [], 'API_BASE_URL'],
    ['deploy-backend', ['IMAGE_REPO=public.ecr.aws/a/b'], 'SERVICE_NAME'],
    ['deploy-backend', ['SERVICE_NAME=api'], 'IMAGE_REPO'],
    ['backup-test', ['PROJECT=p', 'SCRATCH_URL=postgresql://x/y'], 'BACKUP_BUCKET'],
    ['backup-test', ['BACKUP_BUCKET=b', 'SCRATCH_URL=postgresql://x/y'], 'PROJECT'],
    ['backup-test', ['BACKUP_BUCKET=b', 'PROJECT=p', 'SCRATCH_URL=postgresql://x/y'], 'DATABASE_URL'],
    ['backup-list', [], 'BACKUP_BUCKET'],
    ['backup-download', [], 'BACKUP_BUCKET'],
    ['restore', ['BACKUP_BUCKET=b'], 'TARGET_URL'],
  ])('make %s %j fails at once naming %s', async (target, vars, missing) => {
    const r = await make([target, ...vars], { DATABASE_URL: '', TARGET_URL: '' });
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(new RegExp(`^Makefile:\\d+: \\*\\*\\* make ${target}: ${missing} is required, `));
  });
});
