import { beforeAll, describe, expect, it } from '@jest/globals';
import { cloudFrontClient } from '../../src/core/aws.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { createInvalidation, waitForInvalidation } from '../../src/frontend/invalidation.js';
import { useFaultProxy } from '../lab/use-fault-proxy.js';
import { useLabAws } from '../lab/shared.js';
import { baseBuild, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';

/**
 * Waiting for an invalidation, with CloudFront behind the proxy. moto reports every invalidation as `COMPLETED` at
 * once; CloudFront says `InProgress` and then `Completed` (the SDK's waiter matches that exactly): the proxy answers
 * GetInvalidation as CloudFront does.
 */
describe('waiting for a CloudFront invalidation', () => {
  let t: Target;
  const GET_INVALIDATION = /\/distribution\/[^/]+\/invalidation\/[^/]+$/;
  const status = (s: string) => (xml: string) => xml.replace(/<Status>[^<]*<\/Status>/, `<Status>${s}</Status>`);
  const polls = () => proxy.seen.filter((r) => r.method === 'GET' && GET_INVALIDATION.test(r.path)).length;
  const newInvalidation = () => createInvalidation(cloudFrontClient(), t.distributionId, ['/*'], `ref-${Date.now()}`);

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-inval');
  });
  const proxy = useFaultProxy('CLOUDFRONT');

  it('a deploy with wait-for-invalidation finishes once CloudFront reports the invalidation Completed', async () => {
    proxy.clear();
    proxy.rewrite({ method: 'GET', path: GET_INVALIDATION, body: status('Completed') });
    const r = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(baseBuild()),
      bucket: t.bucket,
      'distribution-id': t.distributionId,
      'wait-for-invalidation': true,
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.get('invalidation-id')).toMatch(/\w+/);
    expect(polls()).toBe(1);
  });

  it('polls while InProgress and returns when Completed', async () => {
    const id = await newInvalidation();
    proxy.clear();
    proxy.rewrite({ method: 'GET', path: GET_INVALIDATION, body: status('InProgress'), times: 2 });
    proxy.rewrite({ method: 'GET', path: GET_INVALIDATION, body: status('Completed') });
    await waitForInvalidation(cloudFrontClient(), t.distributionId, id, { intervalMs: 20 });
    expect(polls()).toBe(3);
  });

  it('gives up after the timeout, saying the last status', async () => {
    const id = await newInvalidation();
    proxy.clear();
    proxy.rewrite({ method: 'GET', path: GET_INVALIDATION, body: status('InProgress') });
    await expect(
      waitForInvalidation(cloudFrontClient(), t.distributionId, id, { intervalMs: 20, timeoutMs: 600 }),
    ).rejects.toThrow(`invalidation ${id} was still InProgress after 0.01 min`);
    expect(polls()).toBeGreaterThan(1);
  });

  it('stops at the first GetInvalidation that is denied (not a transient error) instead of asking until the timeout', async () => {
    const id = await newInvalidation();
    proxy.clear();
    proxy.inject({ method: 'GET', path: GET_INVALIDATION, fault: '403' });
    await expect(
      waitForInvalidation(cloudFrontClient(), t.distributionId, id, { intervalMs: 20, timeoutMs: 600_000 }),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(polls()).toBe(1);
  });
});
