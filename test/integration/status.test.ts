/** `shisha-ops status`: one table of what production runs, against moto, the local edge and the Lightsail fake. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { backupKey } from '../../src/backup/naming.js';
import { Edge } from '../lab/edge.js';
import { uniqueName, useLabAws } from '../lab/shared.js';
import type { LightsailFake } from '../lab/lightsail-fake.js';
import { DIGEST, FAST, image, runCaptured, startFake } from './backend-helpers.js';
import { baseBuild, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { OPS_COMMANDS } from '../../src/ops/job.js';

describe('status', () => {
  let t: Target;
  let fake: LightsailFake;
  let stop: () => Promise<void>;
  let edge: Edge;
  let releaseId: string;
  const backups = uniqueName('status-bk');
  const key = backupKey({
    prefix: 'backups',
    project: 'shisha-log',
    environment: 'prod',
    dbname: 'postgres',
    time: new Date(Date.now() - 3 * 3_600_000),
  });

  beforeAll(async () => {
    ({ fake, stop } = await startFake(50));
    useLabAws({ lightsail: fake.url });
    t = await makeTarget('status');
    releaseId =
      (await run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(baseBuild()), bucket: t.bucket })).outputs.get(
        'release-id',
      ) ?? '';
    edge = new Edge({ bucket: t.bucket });
    await edge.start();
    await fake.createService('status-svc', { image: image('api', '1') });
    expect(
      (
        await runCaptured((i, r) => BACKEND_COMMANDS.deploy(i, r, { timing: FAST }), {
          'service-name': 'status-svc',
          image: image('api', '2'),
          environment: 'TOKEN=status-secret-token',
        })
      ).code,
    ).toBe(0);
    const s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: backups }));
    await s3.send(new PutObjectCommand({ Bucket: backups, Key: key, Body: Buffer.alloc(2048, 1) }));
  });
  afterAll(async () => {
    await edge?.stop();
    await stop();
  });

  it('shows the SPA release and that the live index.html is it, the API version/digest/state/health, the newest backup', async () => {
    const r = await runCaptured(OPS_COMMANDS.status, {
      bucket: t.bucket,
      url: edge.url,
      'service-name': 'status-svc',
      'backup-bucket': backups,
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`SPA\\s+release\\s+${releaseId} \\(7 files, `));
    expect(r.out).toMatch(/SPA\s+live index.html\s+matches .*✔/);
    expect(r.out).toMatch(/SPA\s+deploy lock\s+none\s+✔/);
    expect(r.out).toMatch(/API\s+version\s+2 ACTIVE since .*✔/);
    expect(r.out).toContain(DIGEST('2'));
    expect(r.out).toMatch(/API\s+health\s+GET .*\/health → 200\s+✔/);
    expect(r.out).toMatch(new RegExp(`Backup\\s+newest\\s+${key} \\(3\\.0 hours old, 2\\.0 KiB\\)\\s+✔`));
    expect(r.out).toMatch(/Backup\s+drill\s+no manifest/);
    expect(r.all).not.toContain('status-secret-token');
    expect(r.outputs.get('live-matches')).toBe('true');
    expect(r.outputs.get('api-version')).toBe('2');
  });

  it('flags a live index.html that is not the release, and shows a drill recorded in the backup manifest', async () => {
    const v2 = {
      ...baseBuild(),
      'index.html': '<!doctype html><p>v2</p><script src="/assets/index-aaa111.js"></script>',
    };
    const cached = new Edge({ bucket: t.bucket, distributionId: t.distributionId });
    await cached.start();
    try {
      await fetch(`${cached.url}/`); // CloudFront now holds release 1's index.html
      await run(FRONTEND_COMMANDS.deploy, {
        'source-dir': writeBuild(v2),
        bucket: t.bucket,
        'distribution-id': t.distributionId,
        invalidate: false,
      });
      await s3Client().send(
        new PutObjectCommand({
          Bucket: backups,
          Key: `${key}.manifest.json`,
          Body: JSON.stringify({ drill: { result: 'passed', at: '2026-11-23T00:10:00Z' } }),
        }),
      );
      const r = await runCaptured(OPS_COMMANDS.status, { bucket: t.bucket, url: cached.url, 'backup-bucket': backups });
      expect(r.code).toBe(0);
      expect(r.out).toMatch(
        new RegExp(`SPA\\s+live index.html\\s+differs: the live index.html is release ${releaseId}\\s+✘`),
      );
      expect(r.out).toMatch(/Backup\s+drill\s+passed \(2026-11-23T00:10:00Z\)\s+✔/);
      expect(r.out).toMatch(/1 item\(s\) need attention/);
      expect(r.outputs.get('live-matches')).toBe('false');
    } finally {
      await cached.stop();
    }
  });

  it('checks backup-prefix as the backup commands check prefix (exit 2, nothing read)', async () => {
    const r = await runCaptured(OPS_COMMANDS.status, { 'backup-bucket': backups, 'backup-prefix': 'backups/../other' });
    expect(r.code).toBe(2);
    expect(r.err).toContain("Input 'backup-prefix': expected a folder such as 'backups'");
    expect(r.out).not.toContain('Backup');
  });

  it('needs at least one part (exit 2)', async () => {
    const r = await runCaptured(OPS_COMMANDS.status, {});
    expect(r.code).toBe(2);
    expect(r.err).toContain("Input 'bucket': give at least one of bucket");
  });
});
