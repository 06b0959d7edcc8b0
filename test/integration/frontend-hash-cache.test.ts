/**
 * Issue #17: an unchanged redeploy takes file MD5s from a local cache (size, mtime, ctime, inode) instead of reading
 * every file, but only where the release manifest records the same size and MD5: content is still what is compared.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { useLabAws } from '../lab/shared.js';
import { baseBuild, getText, makeTarget, run, writeBuild } from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';

describe('the local MD5 cache of an unchanged redeploy', () => {
  const saved = process.env.XDG_CACHE_HOME;
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'fe-cache-'));
  beforeAll(() => {
    useLabAws();
    process.env.XDG_CACHE_HOME = cacheHome;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });

  it('a same-size edit with the old mtime put back is still uploaded', async () => {
    const t = await makeTarget('fe-cache');
    const dir = writeBuild(baseBuild());
    const deploy = () => run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir, bucket: t.bucket });
    expect((await deploy()).code).toBe(0);
    expect((await deploy()).outputs.get('uploaded')).toBe('0'); // the cache is written and used
    const file = path.join(dir, 'robots.txt');
    const st = statSync(file);
    writeFileSync(file, 'User-agent: X'); // same length as 'User-agent: *'
    utimesSync(file, st.atime, st.mtime);
    const r = await deploy();
    expect(r.code).toBe(0);
    expect(r.outputs.get('uploaded')).toBe('1');
    expect(await getText(t.bucket, 'robots.txt')).toBe('User-agent: X');
  });

  it('a cached MD5 that the release manifest does not record is not trusted: the file is read again', async () => {
    const t = await makeTarget('fe-cache2');
    const dir = writeBuild(baseBuild());
    const deploy = () => run(FRONTEND_COMMANDS.deploy, { 'source-dir': dir, bucket: t.bucket });
    expect((await deploy()).code).toBe(0);
    // Every cache entry now claims other content for untouched files (same stamp, another MD5).
    for (const name of readdirSync(path.join(cacheHome, 'shisha-ops'))) {
      const file = path.join(cacheHome, 'shisha-ops', name);
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, [string, string]>;
      for (const e of Object.values(data)) e[1] = '0123456789abcdef0123456789abcdef';
      writeFileSync(file, JSON.stringify(data));
    }
    const r = await deploy();
    expect(r.code).toBe(0);
    expect(r.all).toMatch(/nothing changed: release .* keeps serving/);
    expect(r.outputs.get('uploaded')).toBe('0');
  });
});
