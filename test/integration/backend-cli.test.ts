import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { CreateContainerServiceDeploymentCommand } from '@aws-sdk/client-lightsail';
import type { LightsailFake } from '../lab/lightsail-fake.js';
import { FAST, image, lightsailClient, runCaptured, startFake } from './backend-helpers.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const SECRET = 'cli-secret-4f3e2d1c';

/** Runs `shisha-ops <args>` as a user would, with the process environment pointing at the fake. */
function cli(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin', 'shisha-ops.js'), ...args],
      { cwd: root, env: { ...process.env, SHISHA_OPS_POLL_MS: '20', ...extraEnv }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('backend status, logs and the shisha-ops CLI', () => {
  let fake: LightsailFake;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ fake, stop } = await startFake(100));
  });
  afterAll(() => stop());

  it('shisha-ops backend deploy: flags map to inputs, exit 0, secrets never printed', async () => {
    const url = await fake.createService('cli-svc', { image: image('api', '1') });
    fake.setImage(image('api', '2'), { outcome: 'active', logs: [`started with TOKEN=${SECRET}`] });
    const r = await cli([
      'backend',
      'deploy',
      '--service-name',
      'cli-svc',
      '--image',
      image('api', '2'),
      '--environment',
      `TOKEN=${SECRET}`,
      '--environment',
      'MODE=demo-mode',
      '--container-port',
      '8080',
    ]);
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`GET ${url}health → 200`);
    expect(r.stdout).toMatch(/state\s+ACTIVE/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(fake.deployments('cli-svc').at(-1)?.containers.api?.environment).toEqual({
      TOKEN: SECRET,
      MODE: 'demo-mode',
    });
  });

  it('shisha-ops backend deploy exits 2 on bad input, 1 when the service is missing', async () => {
    const calls = fake.calls.length;
    const bad = await cli([
      'backend',
      'deploy',
      '--service-name',
      'cli-svc',
      '--image',
      image('api'),
      '--container-port',
      '0',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: Input 'container-port': expected a whole number from 1 to 65535, got 0");
    expect(fake.calls.length).toBe(calls);
    const missing = await cli(['backend', 'deploy', '--service-name', 'ghost', '--image', image('api')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Lightsail container service 'ghost' not found in region us-east-1");
  });

  it('status shows state, current and next deployment and url', async () => {
    fake.setImage(image('api', '3'), { outcome: 'stuck' });
    const url = await fake.createService('status-svc', { image: image('api', '1') });
    const r1 = await runCaptured(BACKEND_COMMANDS.status, { 'service-name': 'status-svc' });
    expect(r1.code).toBe(0);
    expect(r1.out).toContain('service status-svc in us-east-1: RUNNING');
    expect(r1.out).toContain(
      `current deployment: version 1 ACTIVE (api=${image('api', '1')}); public api:8080 health /health`,
    );
    expect(r1.out).toContain('next deployment: none');
    expect(r1.outputs.get('url')).toBe(url);
    expect(r1.outputs.get('version')).toBe('1');

    await lightsailClient().send(
      new CreateContainerServiceDeploymentCommand({
        serviceName: 'status-svc',
        containers: { api: { image: image('api', '3'), environment: { K: SECRET }, ports: { '8080': 'HTTP' } } },
      }),
    );
    const r2 = await runCaptured(BACKEND_COMMANDS.status, { 'service-name': 'status-svc' });
    expect(r2.out).toContain('service status-svc in us-east-1: DEPLOYING (ACTIVATING_DEPLOYMENT)');
    expect(r2.out).toContain(`next deployment: version 2 ACTIVATING (api=${image('api', '3')})`);
    expect(r2.outputs.get('state')).toBe('DEPLOYING');
  });

  it('logs prints the recent container log with deployed environment values redacted', async () => {
    await fake.createService('logs-svc', { image: image('api', '1') });
    fake.setImage(image('api', '4'), { outcome: 'active', logs: [`started with TOKEN=${SECRET}`] });
    const deployed = await runCaptured((i, rep) => BACKEND_COMMANDS.deploy(i, rep, { timing: FAST }), {
      'service-name': 'logs-svc',
      image: image('api', '4'),
      environment: `TOKEN=${SECRET}`,
    });
    expect(deployed.code).toBe(0);
    // A fresh run (a new reporter) learns the secrets from the deployed environment.
    const r = await runCaptured(BACKEND_COMMANDS.logs, { 'service-name': 'logs-svc' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('started with TOKEN=***');
    expect(r.out).toContain('[deployment:2] Reached a steady state');
    expect(r.all).not.toContain(SECRET);
    const bad = await runCaptured(BACKEND_COMMANDS.logs, { 'service-name': 'logs-svc', 'since-minutes': 'x' });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("Input 'since-minutes'");
  });
});
