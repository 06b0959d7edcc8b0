import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateContainerServiceDeploymentCommand } from '@aws-sdk/client-lightsail';
import type { LightsailFake } from '../lab/lightsail-fake.js';
import { FAST, image, lightsailClient, runCaptured, startFake } from './backend-helpers.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';

const deploy = (values: Record<string, string>) =>
  runCaptured((inputs, reporter) => BACKEND_COMMANDS.deploy(inputs, reporter, { timing: FAST }), values);

const JWT = 'jwt-9f8e7d6c5b4a';
const DB_PASSWORD = 'pg-Pa55w0rd-xyz';
const ENVIRONMENT = `JWT_SECRET=${JWT}\nDATABASE_URL=postgresql://app:${DB_PASSWORD}@db.example.com:5432/shisha\nNODE_ENV=production`;

function creates(fake: LightsailFake): number {
  return fake.calls.filter((c) => c.operation === 'CreateContainerServiceDeployment').length;
}

describe('backend deploy against the Lightsail fake (real @aws-sdk/client-lightsail)', () => {
  let fake: LightsailFake;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ fake, stop } = await startFake(800));
  });
  afterAll(() => stop());

  it('deploys, waits for ACTIVE, probes /health and reports version, url and state', async () => {
    const url = await fake.createService('ok-svc', { image: image('api', '1') });
    const r = await deploy({ 'service-name': 'ok-svc', image: image('api', '2'), environment: ENVIRONMENT });
    expect(r.code).toBe(0);
    expect(r.outputs.get('version')).toBe('2');
    expect(r.outputs.get('state')).toBe('ACTIVE');
    expect(r.outputs.get('url')).toBe(url);
    // Progress: state and sub-state while activating, then ACTIVE; then the health probe.
    expect(r.out).toMatch(/service DEPLOYING \(ACTIVATING_DEPLOYMENT\), version 2 ACTIVATING/);
    expect(r.out).toMatch(/service RUNNING, version 2 ACTIVE/);
    expect(r.out).toContain(`GET ${url}health → 200`);
    expect(r.out).toMatch(/Backend deployment: healthy/);
    expect(r.err).toBe('');
    // What Lightsail received: our image, the environment, the port and the public endpoint's health check.
    const d = fake.deployments('ok-svc').at(-1);
    expect(d?.state).toBe('ACTIVE');
    expect(d?.containers.api).toMatchObject({ image: image('api', '2'), ports: { '8080': 'HTTP' } });
    expect(d?.containers.api?.environment).toEqual({
      JWT_SECRET: JWT,
      DATABASE_URL: expect.stringContaining(DB_PASSWORD),
      NODE_ENV: 'production',
    });
    expect(d?.publicEndpoint).toMatchObject({
      containerName: 'api',
      containerPort: 8080,
      healthCheck: { path: '/health' },
    });
    // The health endpoint of the service now answers from version 2.
    const health = (await (await fetch(`${url}health`)).json()) as { version: number };
    expect(health.version).toBe(2);
  });

  it('keeps the other containers, the command and health-check thresholds of the current deployment', async () => {
    await fake.createService('keep-svc');
    const client = lightsailClient();
    await client.send(
      new CreateContainerServiceDeploymentCommand({
        serviceName: 'keep-svc',
        containers: {
          api: {
            image: image('api', '3'),
            command: ['node', 'dist/server.js'],
            environment: { KEEP: 'kept-value' },
            ports: { '8080': 'HTTP' },
          },
          worker: { image: image('worker', '4'), environment: { QUEUE: 'jobs' } },
        },
        publicEndpoint: {
          containerName: 'api',
          containerPort: 8080,
          healthCheck: { path: '/', healthyThreshold: 4, intervalSeconds: 20, successCodes: '200' },
        },
      }),
    );
    while (fake.deployments('keep-svc').at(-1)?.state !== 'ACTIVE') await new Promise((r) => setTimeout(r, 20));
    const r = await deploy({ 'service-name': 'keep-svc', image: image('api', '5') });
    expect(r.code).toBe(0);
    expect(r.out).toContain('environment kept from the current deployment; other containers kept: worker');
    const d = fake.deployments('keep-svc').at(-1);
    expect(d?.version).toBe(2);
    expect(d?.containers).toEqual({
      api: {
        image: image('api', '5'),
        command: ['node', 'dist/server.js'],
        environment: { KEEP: 'kept-value' },
        ports: { '8080': 'HTTP' },
      },
      worker: { image: image('worker', '4'), environment: { QUEUE: 'jobs' } },
    });
    expect(d?.publicEndpoint?.healthCheck).toMatchObject({
      path: '/health',
      healthyThreshold: 4,
      intervalSeconds: 20,
      successCodes: '200-299',
    });
    // Values deployed earlier are redacted too.
    expect(r.all).not.toContain('kept-value');
  });

  it('on FAILED shows the container log with secrets redacted, says the previous version keeps serving, exits 1', async () => {
    const bad = image('api', '6');
    fake.setImage(bad, {
      outcome: 'failed',
      logs: [
        `booting with JWT_SECRET=${JWT}`,
        `Error: connect ECONNREFUSED postgresql://app:${DB_PASSWORD}@db.example.com:5432/shisha`,
      ],
    });
    const url = await fake.createService('fail-svc', { image: image('api', '1') });
    const r = await deploy({ 'service-name': 'fail-svc', image: bad, environment: ENVIRONMENT });
    expect(r.code).toBe(1);
    expect(r.outputs.get('state')).toBe('FAILED');
    expect(r.outputs.get('version')).toBe('2');
    expect(r.out).toMatch(/version 2 FAILED/);
    expect(r.out).toContain('Deployment failed. The previous deployment keeps serving');
    expect(r.out).toContain('booting with JWT_SECRET=***');
    expect(r.out).toContain('Error: connect ECONNREFUSED postgresql://app:***@db.example.com');
    expect(r.err).toContain(
      "error: deployment version 2 of 'fail-svc' FAILED (see the container log above); the previous deployment (version 1) keeps serving",
    );
    expect(r.all).not.toContain(JWT);
    expect(r.all).not.toContain(DB_PASSWORD);
    // No health probe of a failed deployment; version 1 still answers.
    expect(r.out).not.toContain('GET ');
    const health = (await (await fetch(`${url}health`)).json()) as { version: number };
    expect(health.version).toBe(1);
  });

  it('times out on a deployment that stays ACTIVATING, shows the log and exits 1', async () => {
    const stuck = image('api', '7');
    fake.setImage(stuck, { outcome: 'stuck', logs: ['waiting for the database to accept connections'] });
    await fake.createService('stuck-svc', { image: image('api', '1') });
    const r = await deploy({ 'service-name': 'stuck-svc', image: stuck, 'timeout-minutes': '0.01' });
    expect(r.code).toBe(1);
    expect(r.outputs.get('state')).toBe('ACTIVATING');
    expect(r.out).toContain('waiting for the database to accept connections');
    expect(r.err).toContain(
      "error: deployment version 2 of 'stuck-svc' was still ACTIVATING after 0.01 min (timeout-minutes); the previous deployment (version 1) keeps serving",
    );
  });

  it('says clearly when the service does not exist, without creating anything', async () => {
    const before = creates(fake);
    const r = await deploy({ 'service-name': 'no-such-svc', image: image('api') });
    expect(r.code).toBe(1);
    expect(r.err).toContain("error: Lightsail container service 'no-such-svc' not found in region us-east-1");
    expect(creates(fake)).toBe(before);
  });

  it('refuses while another deployment is in progress', async () => {
    const stuck = image('api', '8');
    fake.setImage(stuck, { outcome: 'stuck' });
    await fake.createService('busy-svc', { image: image('api', '1') });
    await lightsailClient().send(
      new CreateContainerServiceDeploymentCommand({
        serviceName: 'busy-svc',
        containers: { api: { image: stuck, ports: { '8080': 'HTTP' } } },
        publicEndpoint: { containerName: 'api', containerPort: 8080 },
      }),
    );
    const before = creates(fake);
    const r = await deploy({ 'service-name': 'busy-svc', image: image('api', '9') });
    expect(r.code).toBe(1);
    expect(r.err).toContain("another deployment (version 2) is in progress on 'busy-svc'");
    expect(creates(fake)).toBe(before);
  });

  it('fails after bounded retries when /health answers 500 once ACTIVE', async () => {
    const sick = image('api', 'd');
    fake.setImage(sick, { outcome: 'active', healthStatus: 500 });
    const url = await fake.createService('sick-svc', { image: image('api', '1') });
    const r = await deploy({ 'service-name': 'sick-svc', image: sick });
    expect(r.code).toBe(1);
    expect(r.outputs.get('state')).toBe('ACTIVE');
    expect(r.out.match(/→ HTTP 500/g)).toHaveLength(FAST.healthAttempts as number);
    expect(r.err).toContain(`health check GET ${url}health did not answer 2xx after 3 attempts (last: HTTP 500)`);
    expect(r.err).toContain('version 2 is ACTIVE and already serving traffic');
  });

  describe('bad inputs fail with exit 2 before any remote call', () => {
    it.each([
      ['no service name', { image: image('api') }, "Input 'service-name': is required"],
      ['uppercase repository', { 'service-name': 'ok-svc', image: 'public.ecr.aws/shisha/API:1' }, "Input 'image'"],
      ['short digest', { 'service-name': 'ok-svc', image: 'public.ecr.aws/shisha/api@sha256:1234' }, "Input 'image'"],
      [
        'port out of range',
        { 'service-name': 'ok-svc', image: image('api'), 'container-port': '65536' },
        "Input 'container-port'",
      ],
      [
        'relative health path',
        { 'service-name': 'ok-svc', image: image('api'), 'health-check-path': 'health' },
        "Input 'health-check-path'",
      ],
      [
        'bad env key',
        { 'service-name': 'ok-svc', image: image('api'), environment: `JWT_SECRET=${JWT}\nbad-key=${DB_PASSWORD}` },
        "Input 'environment': line 2",
      ],
      [
        'negative timeout',
        { 'service-name': 'ok-svc', image: image('api'), 'timeout-minutes': '-1' },
        "Input 'timeout-minutes'",
      ],
    ])('%s', async (_label, values, message) => {
      const calls = fake.calls.length;
      const r = await deploy(values as Record<string, string>);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`error: ${message}`);
      expect(r.all).not.toContain(JWT);
      expect(r.all).not.toContain(DB_PASSWORD);
      expect(fake.calls.length).toBe(calls);
    });
  });

  it('warns about a mutable tag but deploys it', async () => {
    await fake.createService('tag-svc', { image: image('api', '1') });
    const r = await deploy({ 'service-name': 'tag-svc', image: 'public.ecr.aws/shisha/api:latest' });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: image 'public.ecr.aws\/shisha\/api:latest' uses the tag 'latest'/);
  });

  it('deploys to a service with no deployment yet and moves the port when asked', async () => {
    await fake.createService('new-svc');
    const r = await deploy({
      'service-name': 'new-svc',
      image: image('api', 'e'),
      'container-port': '3000',
      'health-check-path': '/healthz',
    });
    expect(r.code).toBe(0);
    expect(r.outputs.get('version')).toBe('1');
    const d = fake.deployments('new-svc').at(-1);
    expect(d?.containers.api?.ports).toEqual({ '3000': 'HTTP' });
    expect(d?.publicEndpoint).toMatchObject({ containerPort: 3000, healthCheck: { path: '/healthz' } });
  });
});
