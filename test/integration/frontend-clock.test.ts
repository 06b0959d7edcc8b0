/**
 * A deploy from a machine whose clock runs more than 24 h fast would write a release id that every listing ignores
 * (isPlausibleId: more than 24 h past its manifest's time) while its HTML is live. It is refused against S3's clock
 * (the Date of S3's answers) before anything changes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { FaultProxy } from '../lab/fault-proxy.js';
import { motoUrl, useLabAws } from '../lab/shared.js';
import { baseBuild, getText, listKeys, makeTarget, run, writeBuild } from './frontend-helpers.js';

describe("a deploy is refused when this machine's clock runs more than 24 h ahead of S3's", () => {
  // S3's clock 25 h behind this machine's is what a machine whose clock runs 25 h fast sees.
  const proxy = new FaultProxy(motoUrl()).skewDate(-25 * 3600_000);
  beforeAll(() => useLabAws());
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_S3 = motoUrl();
    await proxy.stop();
  });

  it('says so in one line and changes nothing live', async () => {
    const t = await makeTarget('fe-clock');
    const first = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(baseBuild()), bucket: t.bucket });
    expect(first.code).toBe(0);
    const before = await listKeys(t.bucket);

    process.env.AWS_ENDPOINT_URL_S3 = await proxy.start();
    const next = {
      ...baseBuild(),
      'index.html': '<!doctype html><script src="/assets/index-ddd444.js"></script>',
      'assets/index-ddd444.js': 'console.log("v2")',
      'robots.txt': 'Disallow: /',
    };
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(next), bucket: t.bucket });
    process.env.AWS_ENDPOINT_URL_S3 = motoUrl();

    expect(r.code).toBe(1);
    expect(r.all).toMatch(
      /this machine's clock runs 25\.0 h ahead of S3's \(.*\): release \d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8} would not count as a release .* set the clock right \(NTP\) and deploy again; nothing was changed/,
    );
    expect(await listKeys(t.bucket)).toEqual(before);
    expect(await getText(t.bucket, 'index.html')).toBe(baseBuild()['index.html']);
    expect(await getText(t.bucket, 'robots.txt')).toBe('User-agent: *');
  });
});
