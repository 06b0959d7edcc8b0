import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FaultProxy } from '../lab/fault-proxy.js';
import { motoUrl, useLabAws } from '../lab/shared.js';
import { baseBuild, listKeys, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';

describe('frontend deploy: bad input fails with one clear error before anything changes', () => {
  let t: Target;
  let dir: string;
  const proxy = new FaultProxy(process.env.LAB_MOTO_URL ?? '');
  const deploy = (extra: Record<string, string | number | boolean | undefined>) =>
    run(FRONTEND_COMMANDS.deploy, {
      'source-dir': dir,
      bucket: t.bucket,
      'distribution-id': t.distributionId,
      ...extra,
    });

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-in');
    dir = writeBuild(baseBuild());
  });
  afterAll(async () => {
    process.env.AWS_ENDPOINT_URL_S3 = motoUrl();
    await proxy.stop();
  });

  const cases: [string, Record<string, string | number | boolean | undefined>, string][] = [
    ['no source-dir', { 'source-dir': '' }, "Input 'source-dir': is required and was empty"],
    [
      'a missing source-dir',
      { 'source-dir': '/nonexistent/dist' },
      "Input 'source-dir': directory '/nonexistent/dist' does not exist",
    ],
    [
      'an empty source-dir',
      { 'source-dir': mkdtempSync(path.join(os.tmpdir(), 'fe-empty-')) },
      'is empty: run the build first',
    ],
    ['a build without index.html', { 'source-dir': writeBuild({ 'app.js': 'x' }) }, 'has no index.html at its root'],
    [
      'a missing bucket',
      { bucket: 'no-such-bucket-anywhere' },
      "Input 'bucket': bucket 'no-such-bucket-anywhere' does not exist (HeadBucket: 404)",
    ],
    ['a bad bucket name', { bucket: 'Bad_Bucket' }, "Input 'bucket': 'Bad_Bucket' is not an S3 bucket name"],
    [
      'a malformed cache rule',
      { 'cache-rules': 'assets/** public, max-age=1' },
      "Input 'cache-rules': line 1 'assets/** public, max-age=1': expected 'glob: Cache-Control value'",
    ],
    [
      'a bad directive',
      { 'cache-rules': '# comment\n*.js: max age 5' },
      "Input 'cache-rules': line 2 '*.js: max age 5': 'max age 5' is not a Cache-Control directive",
    ],
    [
      'a bad number',
      { 'keep-releases': 'three' },
      "Input 'keep-releases': expected a whole number from 1 to 100, got 'three'",
    ],
    ['zero concurrency', { concurrency: 0 }, "Input 'concurrency': expected a whole number from 1 to 256, got 0"],
    ['a bad boolean', { 'dry-run': 'maybe' }, "Input 'dry-run': expected true or false, got 'maybe'"],
    [
      'a missing distribution',
      { 'distribution-id': 'E000NOTTHERE' },
      "Input 'distribution-id': CloudFront distribution 'E000NOTTHERE' does not exist",
    ],
  ];

  it.each(cases)('%s', async (_name, extra, message) => {
    const r = await deploy(extra);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a bucket that denies access', async () => {
    await proxy.start();
    proxy.inject({ method: 'HEAD', path: `/${t.bucket}`, fault: '403' });
    process.env.AWS_ENDPOINT_URL_S3 = proxy.url;
    try {
      const r = await deploy({});
      expect(r.code).toBe(2);
      expect(r.err).toContain(`Input 'bucket': access to bucket '${t.bucket}' is denied (HeadBucket: 403)`);
      expect(proxy.seen.filter((s) => s.method !== 'HEAD' && s.method !== 'GET')).toEqual([]);
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = motoUrl();
    }
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a build that uses the reserved _releases/ directory', async () => {
    const d = writeBuild(baseBuild());
    writeFileSync(path.join(d, '_releases'), 'x');
    const r = await deploy({ 'source-dir': d });
    expect(r.code).toBe(2);
    expect(r.err).toContain("contains '_releases/', which is reserved");
  });
});
