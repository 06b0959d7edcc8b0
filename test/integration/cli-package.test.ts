/**
 * The CLI as a user installs it: `npm pack`, then the tarball installed into a temporary prefix with production
 * dependencies only (no tsx, no TypeScript), run from outside the checkout. npm resolves the dependencies from its
 * cache first (--prefer-offline), so this does not go to the registry for what `npm ci` already fetched.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { CREDENTIALS_HINT, REGION_HINT } from '../../src/core/errors.js';
import { awsEnvFor } from '../lab/index.js';
import { motoUrl, uniqueName } from '../lab/shared.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

describe('the packed CLI, installed without devDependencies', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-package-'));
  const prefix = path.join(tmp, 'prefix');
  const installed = path.join(prefix, 'lib', 'node_modules', 'shisha-ops');
  // Only what a user's shell has: PATH to node and the prefix, a HOME without AWS config; the AWS settings per test.
  const base = {
    PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: tmp,
    AWS_EC2_METADATA_DISABLED: 'true',
  };

  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn('shisha-ops', args, { cwd: tmp, env: { ...base, ...env } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
    });

  beforeAll(() => {
    const npm = (args: string[], cwd: string) =>
      execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd,
        encoding: 'utf8',
        env: process.env,
      });
    const tgz = npm(['pack', '--pack-destination', tmp, '--silent'], root).trim().split('\n').pop()!;
    npm(['install', '--global', '--prefix', prefix, '--omit=dev', '--prefer-offline', path.join(tmp, tgz)], tmp);
  }, 240_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('holds the compiled JavaScript and production dependencies only', () => {
    expect(existsSync(path.join(installed, 'lib', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
    const deps = readdirSync(path.join(installed, 'node_modules'));
    expect(deps).toContain('commander');
    for (const dev of ['tsx', 'typescript', 'jest', 'esbuild']) expect(deps).not.toContain(dev);
  });

  it('--help lists the commands, --version prints the package version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: shisha-ops/);
    for (const c of ['frontend', 'backend', 'backup']) expect(help.out).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    const sub = await run(['frontend', 'deploy', '--help']);
    expect(sub.out).toMatch(/--bucket <name> +the S3 bucket that CloudFront serves \(required\)/);
    expect(sub.out).toMatch(/--no-invalidate/);
    const v = await run(['--version']);
    expect(v).toEqual({ code: 0, out: `${pkg.version}\n`, err: '' });
  });

  it('deploys a site to the lab and lists its release', async () => {
    const env = awsEnvFor({ moto: motoUrl() });
    Object.assign(process.env, env);
    const bucket = uniqueName('packed-cli');
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    const site = path.join(tmp, 'site');
    mkdirSync(path.join(site, 'assets'), { recursive: true });
    writeFileSync(path.join(site, 'index.html'), '<!doctype html><script src="/assets/app-1a2b3c.js"></script>');
    writeFileSync(path.join(site, 'assets', 'app-1a2b3c.js'), 'console.log("hi")');

    const deploy = await run(['frontend', 'deploy', '--source-dir', site, '--bucket', bucket], env);
    expect(deploy.err).toBe('');
    expect(deploy.code).toBe(0);
    expect(deploy.out).toMatch(/uploaded\s+2\b/);
    const list = await run(['frontend', 'releases', '--bucket', bucket], env);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}.*current/);
  });

  it('without a region or credentials, says which variables to set', async () => {
    const noRegion = await run(['backup', 'list', '--bucket', 'some-bucket']);
    expect(noRegion.code).toBe(1);
    expect(noRegion.err).toBe(`error: ${REGION_HINT}\n`);
    expect(REGION_HINT).toMatch(/AWS_REGION/);
    const noCredentials = await run(['backup', 'list', '--bucket', 'some-bucket'], { AWS_REGION: 'ap-northeast-1' });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.err).toBe(`error: ${CREDENTIALS_HINT}\n`);
    expect(CREDENTIALS_HINT).toMatch(/AWS_ACCESS_KEY_ID.*AWS_PROFILE.*OIDC/);
  });
});
