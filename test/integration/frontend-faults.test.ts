import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { useFaultProxy } from '../lab/use-fault-proxy.js';
import { useLabAws } from '../lab/shared.js';
import {
  baseBuild,
  getText,
  head,
  listKeys,
  makeTarget,
  run,
  writeBuild,
  type Build,
  type Target,
} from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';

describe('frontend deploy through a fault-injecting proxy (transient S3 errors are retried)', () => {
  let t: Target;
  const deploy = (b: Build) =>
    run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(b),
      bucket: t.bucket,
      'distribution-id': t.distributionId,
    });

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-fault');
  });
  const proxy = useFaultProxy();

  it('500, 503 SlowDown and connection resets on uploads, copies, listing and the manifest are retried', async () => {
    const b = baseBuild();
    b['assets/big-eee555.bin'] = Buffer.alloc(3 * 1024 * 1024, 7); // a larger streamed body, reset mid-request
    proxy.inject({ method: 'PUT', path: 'assets/index-aaa111.js', fault: '500', times: 2 });
    proxy.inject({ method: 'PUT', path: 'assets/vendor-bbb222.js', fault: '503', times: 1 });
    proxy.inject({ method: 'PUT', path: 'assets/big-eee555.bin', fault: 'reset', times: 1 });
    proxy.inject({ method: 'PUT', path: 'index.html', fault: 'reset', times: 1 });
    proxy.inject({ method: 'PUT', path: '/_releases/', fault: '503', times: 2 });
    proxy.inject({ method: 'GET', path: new RegExp(`^/${t.bucket}/?$`), fault: '500', times: 1 });
    const r = await deploy(b);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(proxy.faults.length).toBe(8);
    expect(r.outputs.get('uploaded')).toBe('8');
    expect(await getText(t.bucket, 'assets/index-aaa111.js')).toBe('console.log("v1")');
    expect((await head(t.bucket, 'assets/big-eee555.bin')).ContentLength).toBe(3 * 1024 * 1024);
    expect((await head(t.bucket, 'assets/big-eee555.bin')).ETag).toBe(`"${md5(b['assets/big-eee555.bin'] as Buffer)}"`);
    // A redeploy of the same build finds everything in place.
    proxy.clear();
    const again = await deploy(b);
    expect(again.outputs.get('uploaded')).toBe('0');
  });

  it('a persistent failure stops before the HTML: the error says what was applied and the old release keeps serving', async () => {
    const before = await getText(t.bucket, 'index.html');
    const releasesBefore = (await listKeys(t.bucket)).filter((k) => k.endsWith('.json') && k.startsWith('_releases/'));
    const b = baseBuild();
    b['index.html'] = '<!doctype html>v2';
    b['assets/index-fff666.js'] = 'console.log("v2")';
    b['assets/other-ggg777.js'] = 'console.log("other")';
    proxy.clear();
    proxy.inject({ method: 'PUT', path: 'assets/index-fff666.js', fault: '503' });
    const r = await deploy(b);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PutObject assets\/index-fff666\.js failed: SlowDown/);
    expect(r.err).toMatch(/uploaded \d of 3 files/);
    expect(r.err).toContain('HTML and the release manifest were not changed: the previous release keeps serving');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(await getText(t.bucket, 'index.html')).toBe(before);
    expect((await listKeys(t.bucket)).filter((k) => k.endsWith('.json') && k.startsWith('_releases/'))).toEqual(
      releasesBefore,
    );
    expect(proxy.seen.some((s) => s.method === 'PUT' && s.path.endsWith('/index.html'))).toBe(false);
  });
});

function md5(buf: Buffer): string {
  return createHash('md5').update(buf).digest('hex');
}
