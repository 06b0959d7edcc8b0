/**
 * Deploying by content and in the right region (issue #13, points 1, 2 and 8), against the Lightsail fake with the
 * real @aws-sdk/client-lightsail: an unchanged image creates no deployment; the region input wins over an AWS_REGION
 * that an earlier step overwrote; the new deployment's health check accepts 2xx only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { awsEnvFor } from '../lab/index.js';
import { LightsailFake } from '../lab/lightsail-fake.js';
import { FAST, image, runCaptured } from './backend-helpers.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';
import { OPS_COMMANDS } from '../../src/ops/job.js';
import { rollbackBackend } from './backend-helpers.js';

const deploy = (values: Record<string, string>) =>
  runCaptured((inputs, reporter) => BACKEND_COMMANDS.deploy(inputs, reporter, { timing: FAST }), values);

describe('backend deploy by content, in the service region', () => {
  // The service lives in ap-northeast-1 (like production); the job's AWS_REGION is us-east-1, as
  // configure-aws-credentials leaves it after the ECR Public login.
  const fake = new LightsailFake({ activationMs: 50, region: 'ap-northeast-1' });
  const saved: Record<string, string | undefined> = {};
  const creates = () => fake.calls.filter((c) => c.operation === 'CreateContainerServiceDeployment').length;

  beforeAll(async () => {
    const env = awsEnvFor({ lightsail: await fake.start() });
    for (const [k, v] of Object.entries({ ...env, AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    await fake.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('without the region input, AWS_REGION=us-east-1 sends Lightsail to the wrong region (the bug the input fixes)', async () => {
    await fake.createService('region-svc', { image: image('api', '1') });
    const r = await deploy({ 'service-name': 'region-svc', image: image('api', '2') });
    expect(r.code).toBe(1);
    expect(r.err).toContain("Lightsail container service 'region-svc' not found in region us-east-1");
  });

  it('with region ap-northeast-1, every Lightsail call goes to ap-northeast-1 whatever AWS_REGION says', async () => {
    const from = fake.calls.length;
    const r = await deploy({ 'service-name': 'region-svc', image: image('api', '2'), region: 'ap-northeast-1' });
    expect(r.code).toBe(0);
    expect(r.out).toContain("Checking container service 'region-svc' in ap-northeast-1");
    const regions = new Set(fake.calls.slice(from).map((c) => c.region));
    expect([...regions]).toEqual(['ap-northeast-1']);
    expect(r.outputs.get('skipped')).toBe('false');
  });

  it('the same digest, environment and health check again: no deployment is created, the log and outputs say so', async () => {
    await fake.createService('same-svc', { image: image('api', '1') });
    const values = {
      'service-name': 'same-svc',
      image: image('api', '3'),
      region: 'ap-northeast-1',
      environment: 'NODE_ENV=production',
    };
    const first = await deploy(values);
    expect(first.code).toBe(0);
    expect(first.outputs.get('version')).toBe('2');
    const before = creates();

    const again = await deploy(values);
    expect(again.code).toBe(0);
    expect(creates()).toBe(before);
    expect(again.outputs.get('skipped')).toBe('true');
    expect(again.outputs.get('version')).toBe('2');
    expect(again.outputs.get('state')).toBe('ACTIVE');
    expect(again.out).toContain(
      `version 2 already runs ${image('api', '3')} with the same environment, port and health check: no new deployment created`,
    );
    // The running version is still proven healthy.
    expect(again.out).toMatch(/GET .*health → 200/);
    expect(again.out).toMatch(/Backend deployment: unchanged, healthy/);
    expect(fake.deployments('same-svc')).toHaveLength(2);
  });

  it('the same digest with a changed environment (a rotated secret) still deploys', async () => {
    const before = creates();
    const r = await deploy({
      'service-name': 'same-svc',
      image: image('api', '3'),
      region: 'ap-northeast-1',
      environment: 'NODE_ENV=staging',
    });
    expect(r.code).toBe(0);
    expect(r.outputs.get('skipped')).toBe('false');
    expect(creates()).toBe(before + 1);
    expect(fake.deployments('same-svc').at(-1)?.containers.api?.environment).toEqual({ NODE_ENV: 'staging' });
  });

  it('a mutable tag is always deployed: the same name may be new content', async () => {
    await fake.createService('tag-svc', { image: 'public.ecr.aws/shisha/api:stable' });
    const before = creates();
    const r = await deploy({
      'service-name': 'tag-svc',
      image: 'public.ecr.aws/shisha/api:stable',
      region: 'ap-northeast-1',
    });
    expect(r.code).toBe(0);
    expect(r.outputs.get('skipped')).toBe('false');
    expect(creates()).toBe(before + 1);
  });

  it("replaces a running deployment's 200-499 health check with 200-299, or the codes the user sets", async () => {
    // createService's first deployment checks /health with successCodes 200-499.
    await fake.createService('codes-svc', { image: image('api', '1') });
    expect(fake.deployments('codes-svc')[0]?.publicEndpoint?.healthCheck?.successCodes).toBe('200-499');
    expect(
      (await deploy({ 'service-name': 'codes-svc', image: image('api', '4'), region: 'ap-northeast-1' })).code,
    ).toBe(0);
    expect(fake.deployments('codes-svc').at(-1)?.publicEndpoint?.healthCheck?.successCodes).toBe('200-299');
    const r = await deploy({
      'service-name': 'codes-svc',
      image: image('api', '5'),
      region: 'ap-northeast-1',
      'health-check-success-codes': '200,204',
    });
    expect(r.code).toBe(0);
    expect(fake.deployments('codes-svc').at(-1)?.publicEndpoint?.healthCheck?.successCodes).toBe('200,204');
  });

  it('a bad region is refused before any call (exit 2)', async () => {
    const calls = fake.calls.length;
    const r = await deploy({ 'service-name': 'codes-svc', image: image('api', '5'), region: 'tokyo' });
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: Input 'region': expected an AWS region name such as ap-northeast-1, got 'tokyo'");
    expect(fake.calls.length).toBe(calls);
  });

  it('a missing secret (an empty environment value) is refused before any call (exit 2), naming the key only', async () => {
    const calls = fake.calls.length;
    const r = await deploy({
      'service-name': 'codes-svc',
      image: image('api', '5'),
      region: 'ap-northeast-1',
      environment: 'NODE_ENV=production\nDATABASE_URL=',
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: Input 'environment': DATABASE_URL has an empty value");
    expect(fake.calls.length).toBe(calls);
  });

  // backend status, logs, releases, rollback and the ops status read the same service: each takes the region input
  // (one helper builds their Lightsail client), so none of them follows an AWS_REGION another step overwrote.
  const lightsailJobs = {
    'backend status': (v: Record<string, string>) => runCaptured((i, r) => BACKEND_COMMANDS.status(i, r), v),
    'backend logs': (v: Record<string, string>) => runCaptured((i, r) => BACKEND_COMMANDS.logs(i, r), v),
    'backend releases': (v: Record<string, string>) => runCaptured((i, r) => BACKEND_COMMANDS.releases(i, r), v),
    status: (v: Record<string, string>) => runCaptured((i, r) => OPS_COMMANDS.status(i, r), v),
    'backend rollback': (v: Record<string, string>) =>
      runCaptured((i, r) => rollbackBackend(i, r, { timing: FAST }), v),
  };

  let multi = false;
  it.each(Object.keys(lightsailJobs))(
    '%s: without region it asks AWS_REGION (us-east-1); with region every call goes there',
    async (name) => {
      const job = lightsailJobs[name as keyof typeof lightsailJobs];
      if (!multi) {
        multi = true;
        await fake.createService('multi-svc', { image: image('api', '6') });
        expect(
          (await deploy({ 'service-name': 'multi-svc', image: image('api', '7'), region: 'ap-northeast-1' })).code,
        ).toBe(0);
      }
      if (name !== 'backend rollback' && name !== 'status') {
        const wrong = await job({ 'service-name': 'multi-svc' });
        expect(wrong.code).toBe(1);
        expect(wrong.err).toContain("Lightsail container service 'multi-svc' not found in region us-east-1");
      }
      const from = fake.calls.length;
      const r = await job({ 'service-name': 'multi-svc', region: 'ap-northeast-1' });
      expect(r.err).not.toMatch(/^error:/m);
      expect(r.code).toBe(0);
      expect(fake.calls.length).toBeGreaterThan(from);
      expect([...new Set(fake.calls.slice(from).map((c) => c.region))]).toEqual(['ap-northeast-1']);
      if (name === 'status') expect(r.out).toMatch(/API\s+service\s+multi-svc: RUNNING/);
      if (name === 'backend rollback')
        expect(fake.deployments('multi-svc').at(-1)?.containers.api?.image).toBe(image('api', '6'));
    },
  );

  it('a bad region is refused by every Lightsail command before any call (exit 2)', async () => {
    for (const job of Object.values(lightsailJobs)) {
      const calls = fake.calls.length;
      const r = await job({ 'service-name': 'multi-svc', region: 'tokyo' });
      expect({ code: r.code, err: r.err.trim() }).toEqual({
        code: 2,
        err: "error: Input 'region': expected an AWS region name such as ap-northeast-1, got 'tokyo'",
      });
      expect(fake.calls.length).toBe(calls);
    }
  });
});
