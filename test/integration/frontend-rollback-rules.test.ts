import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { FaultProxy } from '../lab/fault-proxy.js';
import { motoUrl, useLabAws } from '../lab/shared.js';
import { getText, makeTarget, rollbackFrontend, run, writeBuild, type Build, type Target } from './frontend-helpers.js';

/** Rollback follows the deploy's rules: the same files have rollback copies, and the same apply order. */
describe('rollback follows the rules of the deploy', () => {
  let t: Target;
  let proxy: FaultProxy;
  const deploy = (b: Build, extra: Record<string, string> = {}) =>
    run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(b), bucket: t.bucket, invalidate: false, ...extra });

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-rb-rules');
    proxy = new FaultProxy(motoUrl());
    await proxy.start();
  });
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_S3 = motoUrl();
    await proxy.stop();
  });

  it('a file whose Cache-Control only mentions "immutable" in another directive has a copy and is restored', async () => {
    const rules = { 'cache-rules': 'sw.js: public, max-age=60, x-immutable-after-install' };
    expect((await deploy({ 'index.html': '<p>1</p>', 'sw.js': 'self.v = 1' }, rules)).code).toBe(0);
    expect((await deploy({ 'index.html': '<p>2</p>', 'sw.js': 'self.v = 2' }, rules)).code).toBe(0);
    const r = await run(rollbackFrontend, { bucket: t.bucket, invalidate: false });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await getText(t.bucket, 'sw.js')).toBe('self.v = 1');
    expect(await getText(t.bucket, 'index.html')).toBe('<p>1</p>');
  });

  it('restores the root index.html after the other HTML: a failed copy leaves the live index.html as it was', async () => {
    const build = (n: number): Build => ({
      'index.html': `<a href="/docs/a.html">${n}</a>`,
      ...Object.fromEntries(['a', 'b', 'c'].map((p) => [`docs/${p}.html`, `<p>${p}${n}</p>`])),
    });
    expect((await deploy(build(3))).code).toBe(0);
    expect((await deploy(build(4))).code).toBe(0);
    proxy.inject({ method: 'PUT', path: `/${t.bucket}/docs/a.html`, fault: '403' });
    process.env.AWS_ENDPOINT_URL_S3 = proxy.url;
    const r = await run(rollbackFrontend, { bucket: t.bucket, invalidate: false });
    process.env.AWS_ENDPOINT_URL_S3 = motoUrl();
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/rollback to \S+ failed after restoring \d of 4 files: AccessDenied/);
    expect(await getText(t.bucket, 'index.html')).toBe('<a href="/docs/a.html">4</a>');
    expect(await getText(t.bucket, 'docs/a.html')).toBe('<p>a4</p>');
  });
});
