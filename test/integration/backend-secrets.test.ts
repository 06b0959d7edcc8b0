/**
 * Issue #12 item 11: container logs (shown on a failed deploy, and by `backend logs`) mask the environment of every
 * deployment Lightsail still lists, not only the current and next one, and a URL's password in both its encoded and
 * decoded form.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LightsailFake } from '../lab/lightsail-fake.js';
import { FAST, image, runCaptured, startFake } from './backend-helpers.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';

const OLD_TOKEN = 'old-token-9f8e7d6c5b';
const DATABASE_URL = 'postgres://app:Sup3r%40Secret@db.example.com:5432/shisha';

describe('secrets of earlier deployments stay masked', () => {
  let fake: LightsailFake;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ fake, stop } = await startFake(50));
  });
  afterAll(() => stop());

  const deploy = (version: string, environment: string) =>
    runCaptured((i, rep) => BACKEND_COMMANDS.deploy(i, rep, { timing: FAST }), {
      'service-name': 'sec-svc',
      image: image('api', version),
      environment,
    });

  it('a value from two deployments ago and a decoded URL password are masked in backend logs and in a failed deploy', async () => {
    await fake.createService('sec-svc', { image: image('api', '1') });
    const leaks = [`leaked ${OLD_TOKEN}`, 'connecting as app with password Sup3r@Secret', `url ${DATABASE_URL}`];
    fake.setImage(image('api', '2'), { outcome: 'active', logs: leaks });
    expect((await deploy('2', `OLD_TOKEN=${OLD_TOKEN}\nDATABASE_URL=${DATABASE_URL}`)).code).toBe(0);
    fake.setImage(image('api', '3'), { outcome: 'active' });
    expect((await deploy('3', 'TOKEN=third-token-aaaa')).code).toBe(0);
    fake.setImage(image('api', '4'), { outcome: 'active' });
    expect((await deploy('4', 'TOKEN=fourth-token-bbbb')).code).toBe(0);

    // Deployment 2 is neither current nor next any more, but Lightsail still lists it.
    const logs = await runCaptured(BACKEND_COMMANDS.logs, { 'service-name': 'sec-svc' });
    expect(logs.code).toBe(0);
    expect(logs.out).toContain('leaked ***');
    expect(logs.out).toContain('with password ***');
    expect(logs.all).not.toContain(OLD_TOKEN);
    expect(logs.all).not.toContain('Sup3r');

    fake.setImage(image('api', '5'), { outcome: 'failed', logs: [`again ${OLD_TOKEN} and Sup3r@Secret`] });
    const failed = await deploy('5', 'TOKEN=fifth-token-cccc');
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('again *** and ***');
    expect(failed.all).not.toContain(OLD_TOKEN);
    expect(failed.all).not.toContain('Sup3r');
  });
});
