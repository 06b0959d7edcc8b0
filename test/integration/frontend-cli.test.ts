import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { useLabAws } from '../lab/shared.js';
import { baseBuild, head, makeTarget, writeBuild, type Target } from './frontend-helpers.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/shisha-ops.js', 'frontend', ...args], {
    cwd: root,
    env: process.env,
    encoding: 'utf8',
  });

describe('shisha-ops frontend (the CLI over the same core)', () => {
  let t: Target;
  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-cli');
  });

  it('deploy maps --kebab-flags to the inputs (repeatable --cache-rules), releases lists the result', async () => {
    const dir = writeBuild(baseBuild());
    const r = cli(
      'deploy',
      '--source-dir',
      dir,
      '--bucket',
      t.bucket,
      '--distribution-id',
      t.distributionId,
      '--cache-rules',
      'robots.txt: no-cache',
      '--cache-rules',
      '*.ico: public, max-age=60',
    );
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/uploaded\s+7/);
    expect((await head(t.bucket, 'robots.txt')).CacheControl).toBe('no-cache');
    expect((await head(t.bucket, 'favicon.ico')).CacheControl).toBe('public, max-age=60');
    const list = cli('releases', '--bucket', t.bucket);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}.*current/);
  });

  it('bad input exits 2 with one line naming the input', () => {
    const r = cli('plan', '--source-dir', '/nonexistent', '--bucket', t.bucket);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      "error: Input 'source-dir': directory '/nonexistent' does not exist (expected the build output, e.g. dist)",
    );
    expect(cli('deploy', '--bucket', t.bucket).status).toBe(2); // commander: required --source-dir missing
  });
});
