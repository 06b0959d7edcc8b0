/**
 * Issue #12 item 12: secrets need not be command-line flags (visible to every user in `ps`): the backend deploy
 * reads the environment from a file (--environment-file), the restore and test targets from TARGET_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LightsailFake } from '../lab/lightsail-fake.js';
import { image, startFake } from './backend-helpers.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const SECRET = 'file-secret-0a9b8c7d';

function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin', 'shisha-ops.js'), ...args],
      { cwd: root, env: { ...process.env, SHISHA_OPS_POLL_MS: '20', ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('secrets from a file or the environment instead of flags', () => {
  let fake: LightsailFake;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ fake, stop } = await startFake(50));
  });
  afterAll(() => stop());

  it('backend deploy --environment-file: KEY=VALUE lines (with --environment for the rest), never printed', async () => {
    await fake.createService('file-svc', { image: image('api', '1') });
    fake.setImage(image('api', '2'), { outcome: 'active', logs: [`started with ${SECRET}`] });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'env-file-')), 'api.env');
    writeFileSync(file, `# production\nTOKEN=${SECRET}\nDATABASE_URL=postgres://app:Sup3r%40Secret@db:5432/x\n`);
    const r = await cli([
      'backend',
      'deploy',
      '--service-name',
      'file-svc',
      '--image',
      image('api', '2'),
      '--environment-file',
      file,
      '--environment',
      'MODE=demo',
    ]);
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    expect(fake.deployments('file-svc').at(-1)?.containers.api?.environment).toEqual({
      TOKEN: SECRET,
      DATABASE_URL: 'postgres://app:Sup3r%40Secret@db:5432/x',
      MODE: 'demo',
    });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('a missing environment file is bad input: exit 2, one line, nothing deployed', async () => {
    const calls = fake.calls.length;
    const r = await cli([
      'backend',
      'deploy',
      '--service-name',
      'file-svc',
      '--image',
      image('api', '2'),
      '--environment-file',
      '/nonexistent/api.env',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("error: Input 'environment-file': cannot read '/nonexistent/api.env' (ENOENT)");
    expect(fake.calls.length).toBe(calls);
  });

  it('a quoted value in the environment file is bad input: exit 2, one line naming file and line, never the value', async () => {
    const calls = fake.calls.length;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'env-file-')), 'api.env');
    writeFileSync(file, `# KEY="a comment may quote"\nPLAIN=ok\nAPI_KEY="quoted-value-77"\n`);
    const r = await cli([
      'backend',
      'deploy',
      '--service-name',
      'file-svc',
      '--image',
      image('api', '2'),
      '--environment-file',
      file,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `error: Input 'environment-file': '${file}' line 3: the value of API_KEY is in quotes; write KEY=value without quotes (they would be part of the value)`,
    );
    expect(r.stdout + r.stderr).not.toContain('quoted-value-77');
    expect(fake.calls.length).toBe(calls);
  });

  it('backup restore and backup test take the target from TARGET_URL', async () => {
    const restore = await cli(['backup', 'restore', '--bucket', 'some-bucket', '--yes'], {
      TARGET_URL: 'mysql://u:pw-in-env@h/db',
    });
    expect(restore.code).toBe(2);
    expect(restore.stderr).toMatch(/Input 'target-url'/);
    expect(restore.stderr).not.toContain('is required');
    expect(restore.stderr).not.toContain('pw-in-env');
    const test = await cli(['backup', 'test', '--bucket', 'some-bucket', '--database-url', 'mysql://x@h/db'], {
      TARGET_URL: 'postgresql://u@h/db',
    });
    expect(test.code).toBe(2);
    expect(test.stderr).not.toMatch(/Input 'target-url': is required/);
  });

  it('the help says where else each secret can come from', async () => {
    expect((await cli(['backend', 'deploy', '--help'])).stdout).toMatch(/--environment-file <path>/);
    expect((await cli(['backup', 'restore', '--help'])).stdout).toContain('TARGET_URL');
    expect((await cli(['backup', 'test', '--help'])).stdout).toContain('TARGET_URL');
  });
});
