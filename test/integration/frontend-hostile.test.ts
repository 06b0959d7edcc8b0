/**
 * Issue #12 items 7 and 10: builds and inputs a careless user or a hostile build step makes — symlinks, dotfiles,
 * control characters in names, reserved or empty prefixes, huge values, HTML in file names.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { ActionsReporter } from '../../src/core/reporter-actions.js';
import { inputsFrom } from '../../src/core/inputs.js';
import { runJob } from '../../src/core/run.js';
import { useLabAws } from '../lab/shared.js';
import { getText, listKeys, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { rollbackFrontend } from './frontend-helpers.js';

describe('frontend deploy of hostile builds', () => {
  let t: Target;
  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-hostile');
  });

  it('a symlinked index.html inside source-dir is deployed as index.html; a link leaving it is skipped with a warning naming it', async () => {
    const deploy = (dir: string) =>
      run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir, bucket: t.bucket, 'keep-releases': 1 });
    expect((await deploy(writeBuild({ 'index.html': '<!doctype html>v1', 'assets/a-1.js': 'a1' }))).code).toBe(0);
    const outside = mkdtempSync(path.join(os.tmpdir(), 'fe-outside-'));
    writeFileSync(path.join(outside, 'secret.txt'), 'do not publish');
    const dir = writeBuild({ 'pages/home.html': '<!doctype html>v2', 'assets/a-2.js': 'a2', 'shared/lib.js': 'lib' });
    symlinkSync(path.join(dir, 'pages', 'home.html'), path.join(dir, 'index.html'));
    symlinkSync('../shared', path.join(dir, 'assets', 'shared')); // a linked folder inside the build
    symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'leak.txt'));
    symlinkSync(outside, path.join(dir, 'outside-dir'));
    const r = await deploy(dir);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: skipped 2 symlinks that lead outside source-dir: leak\.txt, outside-dir/);
    expect(await getText(t.bucket, 'index.html')).toBe('<!doctype html>v2');
    expect(await getText(t.bucket, 'assets/shared/lib.js')).toBe('lib');
    const keys = await listKeys(t.bucket);
    expect(keys).not.toContain('leak.txt');
    expect(keys.some((k) => k.startsWith('outside-dir'))).toBe(false);
    const manifest = JSON.parse(
      await getText(
        t.bucket,
        keys
          .filter((k) => /^_releases\/\d.*\.json$/.test(k))
          .sort()
          .at(-1) ?? '',
      ),
    ) as { files: Record<string, unknown> };
    expect(Object.keys(manifest.files)).toContain('index.html');
  });

  it('symlinks (review of #12, finding 11): a web of folder links is walked once per folder, a link to a hidden file is hidden, a loop leads nowhere', async () => {
    const b = await makeTarget('fe-web');
    const names = ['d1', 'd2', 'd3', 'd4', 'd5'];
    const dir = writeBuild({
      'index.html': 'x',
      '.env': 'SECRET=1',
      ...Object.fromEntries(names.map((n) => [`${n}/f.js`, n])),
    });
    for (const n of names) for (const o of names) if (o !== n) symlinkSync(`../${o}`, path.join(dir, n, `l${o}`));
    symlinkSync('.env', path.join(dir, 'config.txt'));
    symlinkSync('loop-b', path.join(dir, 'loop-a'));
    symlinkSync('loop-a', path.join(dir, 'loop-b'));
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir, bucket: b.bucket });
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      'warning: skipped 2 symlinks that lead nowhere (dangling, or a loop of links): loop-a, loop-b',
    );
    expect(r.err).not.toContain('outside source-dir');
    expect(r.err).toMatch(
      /warning: skipped 2 hidden files or folders in source-dir: (\.env, config\.txt|config\.txt, \.env)/,
    );
    const keys = await listKeys(b.bucket);
    expect(keys).not.toContain('config.txt');
    for (const n of names) expect(keys).toContain(`${n}/f.js`);
    // Each folder is entered through a link at most once: 5 folders, at most 5 more copies (not 5 × 65 paths).
    expect(keys.filter((k) => k.endsWith('/f.js')).length).toBeLessThanOrEqual(2 * names.length);
  });

  it('an index.html that links outside source-dir is refused before anything changes', async () => {
    const before = await listKeys(t.bucket);
    const outside = mkdtempSync(path.join(os.tmpdir(), 'fe-outside-'));
    writeFileSync(path.join(outside, 'index.html'), 'elsewhere');
    const dir = writeBuild({ 'app.js': 'x' });
    symlinkSync(path.join(outside, 'index.html'), path.join(dir, 'index.html'));
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir, bucket: t.bucket });
    expect(r.code).toBe(2);
    expect(r.err).toContain("Input 'source-dir': index.html is a symlink that leads outside");
    expect(await listKeys(t.bucket)).toEqual(before);
  });

  it('.env and .git/ are skipped with a warning unless include-dotfiles is true; .well-known/ is always deployed', async () => {
    const files = {
      'index.html': 'x',
      '.env': 'SECRET=1',
      '.git/config': '[core]',
      '.well-known/security.txt': 'Contact: a@b',
    };
    const b = await makeTarget('fe-dot');
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(files), bucket: b.bucket });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(
      /warning: skipped 2 hidden files or folders in source-dir: \.env, \.git\/ \(set include-dotfiles to true to deploy them\)/,
    );
    expect(await listKeys(b.bucket)).toEqual(expect.arrayContaining(['index.html', '.well-known/security.txt']));
    expect((await listKeys(b.bucket)).filter((k) => k.startsWith('.e') || k.startsWith('.g'))).toEqual([]);
    const r2 = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(files),
      bucket: b.bucket,
      'include-dotfiles': true,
    });
    expect(r2.err).toBe('');
    expect(await listKeys(b.bucket)).toEqual(expect.arrayContaining(['.env', '.git/config']));
  });
});

describe('frontend deploy: more bad input, refused before anything changes (exit 2, one line)', () => {
  let t: Target;
  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('fe-bad');
  });
  const dir = () => writeBuild({ 'index.html': 'x', 'assets/a.js': 'a' });

  it.each([
    ['/', "Input 'prefix': '/' names no folder: leave prefix empty to deploy to the bucket root"],
    ['//', "Input 'prefix': '//' names no folder"],
    ['_releases', "Input 'prefix': '_releases/' uses '_releases', the folder reserved for release manifests"],
    ['site/_releases/x', "Input 'prefix': 'site/_releases/x/' uses '_releases'"],
    // Review of #12, finding 11:
    ['a//b', "Input 'prefix': 'a//b/' must not contain an empty segment ('//')"],
    ['   ', "Input 'prefix': is only whitespace: leave it empty to deploy to the bucket root"],
  ])('prefix %j', async (prefix, message) => {
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir(), bucket: t.bucket, prefix });
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a file name with a newline', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'assets', 'evil\nname.js'), 'x');
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': d, bucket: t.bucket });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`Input 'source-dir': file name "assets/evil\\nname.js" contains a control character`);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a prefix longer than S3 keys may be (review of #12, finding 11)', async () => {
    const r = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': dir(),
      bucket: t.bucket,
      prefix: 'p'.repeat(10_000),
    });
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `Input 'prefix': '${'p'.repeat(60)}… (10001 characters)' is 10001 bytes long: at most 960 (S3 keys are at most 1024 bytes`,
    );
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a file name that is not UTF-8 (review of #12, finding 11)', async () => {
    const d = dir();
    writeFileSync(
      Buffer.concat([Buffer.from(path.join(d, 'assets', 'x')), Buffer.from([0xff]), Buffer.from('.js')]),
      'x',
    );
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': d, bucket: t.bucket });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`Input 'source-dir': file name "assets/x\uFFFD.js" is not valid UTF-8`);
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a path that makes a key longer than 1,024 bytes (review of #12, finding 11)', async () => {
    const d = dir();
    const long = ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(210));
    mkdirSync(path.join(d, ...long), { recursive: true });
    writeFileSync(path.join(d, ...long, 'f.js'), 'x');
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': d, bucket: t.bucket, prefix: 'site' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /Input 'source-dir': 'a{60}… \(1059 characters\)' makes a key of 1064 bytes: S3 keys are at most 1024 bytes/,
    );
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a folder named _releases below the root (it would look like another site)', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'assets', '_releases'), 'x');
    const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': d, bucket: t.bucket });
    expect(r.code).toBe(2);
    expect(r.err).toContain("Input 'source-dir': 'assets/_releases' uses the name '_releases', which is reserved");
    expect(await listKeys(t.bucket)).toEqual([]);
  });

  it('a 10,000-character value is cut in the error', async () => {
    for (const [name, value] of [
      ['bucket', 'b'.repeat(10_000)],
      ['keep-releases', '9'.repeat(10_000)],
      ['dry-run', 'x'.repeat(10_000)],
      ['distribution-id', 'E'.repeat(10_000)],
      ['cache-rules', 'x'.repeat(10_000)],
    ]) {
      const r = await run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir(), bucket: t.bucket, [name as string]: value });
      expect(r.code).toBe(2);
      expect(r.err).toContain(`Input '${name}'`);
      expect(r.err).toContain('(10000 characters)');
      expect(r.err.length).toBeLessThan(400);
    }
  });
});

describe('the step summary in GitHub Actions', () => {
  it('escapes file names: a name with HTML shows as text, never as markup', async () => {
    useLabAws();
    const t = await makeTarget('fe-sum');
    const d = writeBuild({ 'index.html': 'x' });
    const evil = '<img src=x onerror=alert(1)>.txt';
    writeFileSync(path.join(d, evil), 'x');
    const summary = path.join(mkdtempSync(path.join(os.tmpdir(), 'fe-summary-')), 'summary.md');
    writeFileSync(summary, '');
    const saved = { ...process.env };
    process.env.GITHUB_STEP_SUMMARY = summary;
    process.env.GITHUB_OUTPUT = path.join(path.dirname(summary), 'out');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write; // the runner's log commands
    try {
      const reporter = new ActionsReporter();
      const code = await runJob(reporter, () =>
        FRONTEND_COMMANDS.deploy(inputsFrom({ 'source-dir': d, bucket: t.bucket }), reporter),
      );
      expect(code).toBe(0);
    } finally {
      process.stdout.write = write;
      process.env = saved;
    }
    const html = readFileSync(summary, 'utf8');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.txt');
    expect(html).not.toContain('<img');
    rmSync(path.dirname(summary), { recursive: true, force: true });
  });
});

describe('frontend rollback to a hand-written manifest (review of #12, finding 3)', () => {
  beforeAll(() => useLabAws());

  it.each([
    ['staging/index.html', /belongs to the site .*staging\/ \(it has its own _releases\/\)/],
    ['_releases/lock.json', /its file "_releases\/lock\.json" is in a reserved _releases\/ folder/],
    ['staging/_releases/20300101T000000.000Z-deadbeef.json', /is in a reserved _releases\/ folder/],
    ['a/../index.html', /has an empty, '\.' or '\.\.' segment/],
    ['a\nb.html', /contains a control character/],
  ])('a manifest naming %j is refused and nothing changes', async (rel, message) => {
    const t = await makeTarget('fe-rbkey');
    const deploy = (files: Record<string, string>, prefix?: string) =>
      run(FRONTEND_COMMANDS.deploy, { 'source-dir': writeBuild(files), bucket: t.bucket, prefix });
    expect((await deploy({ 'index.html': 'staging' }, 'staging/')).code).toBe(0);
    expect((await deploy({ 'index.html': 'root v1' })).code).toBe(0);
    expect((await deploy({ 'index.html': 'root v2' })).code).toBe(0);
    const md5 = createHash('md5').update('evil').digest('hex');
    await s3Client().send(new PutObjectCommand({ Bucket: t.bucket, Key: `_releases/blobs/${md5}`, Body: 'evil' }));
    const id = '20200101T000000.000Z-deadbeef';
    const manifest = {
      version: 1,
      id,
      createdAt: '2020-01-01T00:00:00Z',
      files: {
        'index.html': { md5, size: 4, contentType: 'text/html', cacheControl: 'no-cache' },
        [rel]: { md5, size: 4, contentType: 'text/html', cacheControl: 'no-cache' },
      },
    };
    await s3Client().send(
      new PutObjectCommand({ Bucket: t.bucket, Key: `_releases/${id}.json`, Body: JSON.stringify(manifest) }),
    );
    const before = await listKeys(t.bucket);
    const r = await run(rollbackFrontend, { bucket: t.bucket, 'release-id': id });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(await listKeys(t.bucket)).toEqual(before);
    expect(await getText(t.bucket, 'staging/index.html')).toBe('staging');
    expect(await getText(t.bucket, 'index.html')).toBe('root v2');
  });
});
