/**
 * After a rollback, deploys are locked (`_releases/LOCK` in the SPA bucket, with who/when/why) until `unlock`:
 * both deploys refuse with an error that says how to clear it. The real rollback job against moto and the fake.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCK_KEY, writeLock } from '../../src/ops/lock.js';
import { s3Client } from '../../src/core/aws.js';
import { useLabAws } from '../lab/shared.js';
import type { LightsailFake } from '../lab/lightsail-fake.js';
import { FaultProxy } from '../lab/fault-proxy.js';
import { motoUrl } from '../lab/shared.js';
import { FAST, image, runCaptured, startFake } from './backend-helpers.js';
import { baseBuild, getText, listKeys, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { OPS_COMMANDS } from '../../src/ops/job.js';

describe('deploy lock', () => {
  let t: Target;
  let fake: LightsailFake;
  let stop: () => Promise<void>;
  const v = (n: number) =>
    writeBuild({
      ...baseBuild(),
      'index.html': `<!doctype html><p>v${n}</p><script src="/assets/index-aaa111.js"></script>`,
    });
  const feDeploy = (n: number) =>
    run(FRONTEND_COMMANDS.deploy, { 'source-dir': v(n), bucket: t.bucket, 'distribution-id': t.distributionId });
  const beDeploy = (img: string) =>
    runCaptured((i, r) => BACKEND_COMMANDS.deploy(i, r, { timing: FAST }), {
      'service-name': 'lock-svc',
      image: img,
      'lock-bucket': t.bucket,
    });

  beforeAll(async () => {
    ({ fake, stop } = await startFake(50));
    useLabAws({ lightsail: fake.url });
    t = await makeTarget('lock');
    await fake.createService('lock-svc', { image: image('api', '1') });
  });
  afterAll(() => stop());

  it('a rollback of both parts locks deploys; both deploys refuse and say how to unlock; unlock clears it', async () => {
    expect((await feDeploy(1)).code).toBe(0);
    expect((await feDeploy(2)).code).toBe(0);
    expect((await beDeploy(image('api', '2'))).code).toBe(0);

    process.env.GITHUB_ACTOR = 'octocat';
    let r;
    try {
      r = await runCaptured((i, rep) => OPS_COMMANDS.rollback(i, rep, { timing: FAST }), {
        part: 'both',
        bucket: t.bucket,
        'distribution-id': t.distributionId,
        'service-name': 'lock-svc',
        reason: 'checkout broken in v2',
      });
    } finally {
      delete process.env.GITHUB_ACTOR;
    }
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.get('restored-from')).toBeDefined();
    expect(r.outputs.get('rolled-back-to')).toBe('1');
    expect(r.outputs.get('locked')).toBe('true');
    expect(await getText(t.bucket, 'index.html')).toContain('<p>v1</p>');
    expect(JSON.parse(await getText(t.bucket, LOCK_KEY))).toMatchObject({
      by: 'octocat (GitHub Actions)',
      reason: 'checkout broken in v2',
      what: 'both to the previous release/version',
    });

    const fe = await feDeploy(3);
    expect(fe.code).toBe(1);
    expect(fe.err).toMatch(
      /deploy refused: deploys are locked since .* by octocat \(GitHub Actions\) after a rollback \(both to the previous release\/version\): checkout broken in v2/,
    );
    expect(fe.err).toContain(`shisha-ops unlock --bucket ${t.bucket}`);
    expect(await getText(t.bucket, 'index.html')).toContain('<p>v1</p>'); // nothing deployed
    const be = await beDeploy(image('api', '3'));
    expect(be.code).toBe(1);
    expect(be.err).toContain('deploy refused: deploys are locked');
    expect(fake.deployments('lock-svc').at(-1)?.containers.api?.image).toBe(image('api', '1'));
    // A plan only warns.
    const plan = await run(FRONTEND_COMMANDS.plan, { 'source-dir': v(3), bucket: t.bucket });
    expect(plan.code).toBe(0);
    expect(plan.err).toContain('warning: deploys are locked');

    const u = await run(OPS_COMMANDS.unlock, { bucket: t.bucket });
    expect(u.code).toBe(0);
    expect(u.out).toContain('deploys unlocked (they were locked since');
    expect(await listKeys(t.bucket)).not.toContain(LOCK_KEY);
    expect((await feDeploy(3)).code).toBe(0);
    expect((await beDeploy(image('api', '3'))).code).toBe(0);
    expect((await run(OPS_COMMANDS.unlock, { bucket: t.bucket })).out).toContain('deploys are not locked');
  });

  it('frontend rollback locks by default, not with --lock false; bad input locks nothing', async () => {
    const bad = await run(FRONTEND_COMMANDS.rollback, { bucket: t.bucket, 'release-id': 'nope' });
    expect(bad.code).toBe(2);
    expect(await listKeys(t.bucket)).not.toContain(LOCK_KEY);
    const noLock = await run(FRONTEND_COMMANDS.rollback, { bucket: t.bucket, lock: 'false' });
    expect(noLock.err).toBe('');
    expect(noLock.code).toBe(0);
    expect(await listKeys(t.bucket)).not.toContain(LOCK_KEY);
    expect((await feDeploy(4)).code).toBe(0);
    const locked = await run(FRONTEND_COMMANDS.rollback, { bucket: t.bucket, reason: 'again' });
    expect(locked.err).toBe('');
    expect(locked.code).toBe(0);
    expect(JSON.parse(await getText(t.bucket, LOCK_KEY))).toMatchObject({
      reason: 'again',
      what: 'frontend to the previous release',
    });
    expect((await run(OPS_COMMANDS.unlock, { bucket: t.bucket })).code).toBe(0);
  });

  it('rollback inputs are checked before anything changes (exit 2)', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ part: 'api', bucket: t.bucket }, "Input 'part': expected one of frontend, backend, both"],
      [
        { part: 'both', target: '3', bucket: t.bucket, 'service-name': 'lock-svc' },
        "Input 'target': expected 'previous' when part is both",
      ],
      [{ part: 'frontend', target: '3', bucket: t.bucket }, "Input 'target': expected 'previous' or a release id"],
      [
        { part: 'backend', target: 'v2', bucket: t.bucket, 'service-name': 'lock-svc' },
        "Input 'target': expected 'previous' or a version number",
      ],
      [{ part: 'backend', bucket: t.bucket }, "Input 'service-name': is required"],
      [{ part: 'frontend' }, "Input 'bucket': is required"],
    ];
    for (const [values, msg] of cases) {
      const r = await runCaptured((i, rep) => OPS_COMMANDS.rollback(i, rep, { timing: FAST }), values);
      expect(r.code).toBe(2);
      expect(r.err).toContain(msg);
    }
    expect(await listKeys(t.bucket)).not.toContain(LOCK_KEY);
  });

  it("the backend deploy reads the lock in the bucket's region even when AWS_REGION is another (S3 answers 301 with the region)", async () => {
    // deploy.yml's backend job runs with AWS_REGION=us-east-1 (ECR Public login); the SPA bucket is in the prod region.
    const proxy = new FaultProxy(motoUrl()).inBucketRegion(t.bucket, 'ap-northeast-1');
    const saved = { region: process.env.AWS_REGION, endpoint: process.env.AWS_ENDPOINT_URL_S3 };
    try {
      Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: await proxy.start() });
      await writeLock(s3Client(), t.bucket, 'backend to 1', 'region test');
      const be = await beDeploy(image('api', '4'));
      expect(be.code).toBe(1);
      expect(be.err).toContain('deploy refused: deploys are locked');
      expect(be.err).toContain('region test');
      // The stand-in is strict: the first request, signed for us-east-1, got S3's redirect.
      expect(proxy.seen.length).toBeGreaterThan(1);
      const u = await run(OPS_COMMANDS.unlock, { bucket: t.bucket });
      expect(u.err).toBe('');
      expect(u.out).toContain('deploys unlocked');
    } finally {
      Object.assign(process.env, { AWS_REGION: saved.region, AWS_ENDPOINT_URL_S3: saved.endpoint });
      await proxy.stop();
    }
  });

  it('a rollback that changes nothing (a refusal) locks nothing', async () => {
    await fake.createService('lock-none', { image: image('api', '1') });
    const r = await runCaptured((i, rep) => OPS_COMMANDS.rollback(i, rep, { timing: FAST }), {
      part: 'backend',
      bucket: t.bucket,
      'service-name': 'lock-none',
      reason: 'x',
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain('no earlier version served before the current one');
    expect(r.out).toContain('nothing was changed: deploys are not locked');
    expect(await listKeys(t.bucket)).not.toContain(LOCK_KEY);
    const be = await runCaptured((i, rep) => BACKEND_COMMANDS.rollback(i, rep, { timing: FAST }), {
      'service-name': 'lock-none',
      'lock-bucket': t.bucket,
    });
    expect(be.code).toBe(1);
    expect(await listKeys(t.bucket)).not.toContain(LOCK_KEY);
    // Both parts: the SPA was rolled back before the API part refused, so deploys are locked.
    expect((await feDeploy(7)).code).toBe(0);
    const both = await runCaptured((i, rep) => OPS_COMMANDS.rollback(i, rep, { timing: FAST }), {
      part: 'both',
      bucket: t.bucket,
      'distribution-id': t.distributionId,
      'service-name': 'lock-none',
      reason: 'y',
    });
    expect(both.code).toBe(1);
    expect(both.outputs.get('restored-from')).toBeDefined();
    expect(JSON.parse(await getText(t.bucket, LOCK_KEY))).toMatchObject({ reason: 'y' });
    expect((await run(OPS_COMMANDS.unlock, { bucket: t.bucket })).code).toBe(0);
  });

  it('a rollback whose lock cannot be written says the rollback was made and deploys are not locked', async () => {
    await fake.createService('lock-fail', { image: image('api', '1') });
    expect(
      (
        await runCaptured((i, r) => BACKEND_COMMANDS.deploy(i, r, { timing: FAST }), {
          'service-name': 'lock-fail',
          image: image('api', '2'),
        })
      ).code,
    ).toBe(0);
    const proxy = new FaultProxy(motoUrl()).inject({ method: 'PUT', path: LOCK_KEY, fault: '403' });
    const saved = process.env.AWS_ENDPOINT_URL_S3;
    try {
      process.env.AWS_ENDPOINT_URL_S3 = await proxy.start();
      const r = await runCaptured((i, rep) => BACKEND_COMMANDS.rollback(i, rep, { timing: FAST }), {
        'service-name': 'lock-fail',
        'lock-bucket': t.bucket,
      });
      expect(r.code).toBe(1);
      expect(r.outputs.get('rolled-back-to')).toBe('1');
      expect(r.err).toContain('the rollback was made but deploys are NOT locked');
      expect(r.err).not.toContain('nothing was rolled back');
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = saved;
      await proxy.stop();
    }
    expect(fake.deployments('lock-fail').at(-1)?.containers.api?.image).toBe(image('api', '1'));
  });
});
