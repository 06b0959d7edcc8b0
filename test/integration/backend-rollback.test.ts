/** `backend rollback` and `backend releases` against the Lightsail fake (real @aws-sdk/client-lightsail). */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeleteContainerImageCommand } from '@aws-sdk/client-lightsail';
import type { LightsailFake } from '../lab/lightsail-fake.js';
import { FAST, image, lightsailClient, runCaptured, startFake } from './backend-helpers.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';
import { rollbackBackend } from './backend-helpers.js';

const deploy = (values: Record<string, string>) =>
  runCaptured((i, r) => BACKEND_COMMANDS.deploy(i, r, { timing: FAST }), values);
const rollback = (values: Record<string, string>) =>
  runCaptured((i, r) => rollbackBackend(i, r, { timing: FAST }), values);

describe('backend rollback', () => {
  let fake: LightsailFake;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ fake, stop } = await startFake(50));
  });
  afterAll(() => stop());

  it('redeploys the previous version: its containers, environment and health check; waits, probes, lists', async () => {
    const url = await fake.createService('rb-svc', { image: image('api', '1') });
    expect(
      (
        await deploy({
          'service-name': 'rb-svc',
          image: image('api', '2'),
          environment: 'SECRET_V2=two-secret-value',
          'health-check-path': '/health',
        })
      ).code,
    ).toBe(0);
    expect(
      (
        await deploy({
          'service-name': 'rb-svc',
          image: image('api', '3'),
          environment: 'SECRET_V3=three-secret-value',
        })
      ).code,
    ).toBe(0);

    const r = await rollback({ 'service-name': 'rb-svc' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.get('rolled-back-to')).toBe('2');
    expect(r.outputs.get('version')).toBe('4');
    expect(r.outputs.get('state')).toBe('ACTIVE');
    expect(r.out).toContain(`GET ${url}health → 200`);
    expect(r.out).toMatch(/Backend rollback: healthy/);
    expect(r.all).not.toContain('two-secret-value');
    const v4 = fake.deployments('rb-svc').at(-1)!;
    expect(v4).toMatchObject({
      version: 4,
      state: 'ACTIVE',
      containers: { api: { image: image('api', '2'), environment: { SECRET_V2: 'two-secret-value' } } },
    });
    expect(v4.publicEndpoint).toMatchObject({
      containerName: 'api',
      containerPort: 8080,
      healthCheck: { path: '/health' },
    });

    const list = await runCaptured((i, rep) => BACKEND_COMMANDS.releases(i, rep), { 'service-name': 'rb-svc' });
    expect(list.code).toBe(0);
    expect(list.outputs.get('versions')).toBe('4 3 2 1');
    expect(list.outputs.get('current')).toBe('4');
    expect(list.out).toMatch(/4\s+ACTIVE.*current/);
    expect(list.all).not.toContain('three-secret-value');
  });

  it('rolls back to an explicit version, and refuses the current one, a FAILED one and an unknown one (exit 2)', async () => {
    await fake.createService('rb-pick', { image: image('api', '1') });
    fake.setImage(image('api', 'f'), { outcome: 'failed' });
    expect((await deploy({ 'service-name': 'rb-pick', image: image('api', '2') })).code).toBe(0);
    expect((await deploy({ 'service-name': 'rb-pick', image: image('api', 'f') })).code).toBe(1); // version 3 FAILED
    const failed = await rollback({ 'service-name': 'rb-pick', version: '3' });
    expect(failed.code).toBe(2);
    expect(failed.err).toContain("Input 'version': version 3 FAILED when it was deployed");
    expect((await rollback({ 'service-name': 'rb-pick', version: '2' })).err).toContain(
      'version 2 is the current deployment already',
    );
    expect((await rollback({ 'service-name': 'rb-pick', version: '9' })).err).toContain(
      'version 9 is not among the deployments Lightsail keeps (3 FAILED, 2 ACTIVE, 1 INACTIVE)',
    );
    const r = await rollback({ 'service-name': 'rb-pick', version: '1' });
    expect(r.code).toBe(0);
    expect(fake.deployments('rb-pick').at(-1)?.containers.api?.image).toBe(image('api', '1'));
  });

  it('refuses a version whose pushed image was deleted from the service, changing nothing', async () => {
    await fake.createService('rb-img');
    const old = fake.registerImage('rb-img', 'api');
    const now = fake.registerImage('rb-img', 'api');
    expect((await deploy({ 'service-name': 'rb-img', image: old })).code).toBe(0);
    expect((await deploy({ 'service-name': 'rb-img', image: now })).code).toBe(0);
    await lightsailClient().send(new DeleteContainerImageCommand({ serviceName: 'rb-img', image: old }));
    const before = fake.deployments('rb-img').length;
    const r = await rollback({ 'service-name': 'rb-img' });
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `cannot roll back to version 1: its image ${old} is no longer registered to 'rb-img' (deleted); nothing was changed`,
    );
    expect(fake.deployments('rb-img')).toHaveLength(before);
  });

  it('a second "previous" rollback goes further back: it never brings back the version the first one undid', async () => {
    await fake.createService('rb-twice', { image: image('api', '1') });
    expect(
      (await deploy({ 'service-name': 'rb-twice', image: image('api', '2'), 'health-check-path': '/health' })).code,
    ).toBe(0);
    expect(
      (await deploy({ 'service-name': 'rb-twice', image: image('api', '3'), 'health-check-path': '/health' })).code,
    ).toBe(0); // broken
    const first = await rollback({ 'service-name': 'rb-twice' });
    expect(first.code).toBe(0);
    expect(first.outputs.get('rolled-back-to')).toBe('2');
    const list = await runCaptured((i, rep) => BACKEND_COMMANDS.releases(i, rep), { 'service-name': 'rb-twice' });
    expect(list.out).toMatch(/1\s+INACTIVE.*previous \(rollback goes here\)/);
    expect(list.out).not.toMatch(/3\s+INACTIVE.*previous/);
    const second = await rollback({ 'service-name': 'rb-twice' });
    expect(second.err).toBe('');
    expect(second.outputs.get('rolled-back-to')).toBe('1');
    expect(fake.deployments('rb-twice').at(-1)?.containers.api?.image).toBe(image('api', '1'));
    const third = await rollback({ 'service-name': 'rb-twice' });
    expect(third.code).toBe(1);
    expect(third.err).toContain('no earlier version served before the current one (5)');
  });

  it('"previous" is the deployment before the current one, whole: an environment-only change rolls back the environment only', async () => {
    await fake.createService('rb-env', { image: image('api', '1') });
    expect(
      (
        await deploy({
          'service-name': 'rb-env',
          image: image('api', '2'),
          environment: 'A=good',
          'health-check-path': '/health',
        })
      ).code,
    ).toBe(0);
    expect(
      (
        await deploy({
          'service-name': 'rb-env',
          image: image('api', '2'),
          environment: 'A=broken',
          'health-check-path': '/health',
        })
      ).code,
    ).toBe(0);
    const r = await rollback({ 'service-name': 'rb-env' });
    expect(r.err).toBe('');
    expect(r.outputs.get('rolled-back-to')).toBe('2');
    expect(fake.deployments('rb-env').at(-1)?.containers.api).toMatchObject({
      image: image('api', '2'),
      environment: { A: 'good' },
    });
  });

  it('says when there is nothing to roll back to', async () => {
    await fake.createService('rb-none', { image: image('api', '1') });
    const r = await rollback({ 'service-name': 'rb-none' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('no earlier version served before the current one (1)');
  });
});
