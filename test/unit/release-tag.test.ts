/**
 * release.yml's step that moves the major tag, run as it is (bash, real git) against a scratch repository and a bare
 * "origin": v1 follows the newest v1.x.y, and a patch of an older minor does not pull it back.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..');
const release = parse(readFileSync(path.join(root, '.github', 'workflows', 'release.yml'), 'utf8')) as {
  jobs: Record<string, { steps: { run?: string }[] }>;
};
const script = release.jobs['major-tag']!.steps.find((s) => s.run?.includes('git push'))!.run!;

describe('release.yml: moving the major tag', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'release-tag-'));
  const origin = path.join(tmp, 'origin.git');
  const work = path.join(tmp, 'work');
  const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@example.com',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@example.com',
  };
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();
  const commit = (msg: string) => {
    writeFileSync(path.join(work, 'f'), msg);
    git(work, 'add', 'f');
    git(work, 'commit', '-qm', msg);
    return git(work, 'rev-parse', 'HEAD');
  };
  const releaseTag = (tag: string, sha: string) => {
    git(work, 'tag', tag, sha);
    git(work, 'push', '-q', 'origin', tag);
    const summary = path.join(tmp, 'summary');
    writeFileSync(summary, '');
    execFileSync('bash', ['-e', '-c', script], {
      cwd: work,
      env: { ...gitEnv, TAG: tag, GITHUB_SHA: sha, GITHUB_STEP_SUMMARY: summary },
    });
    return git(origin, 'rev-parse', 'v1^{commit}');
  };
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('points v1 at each newer release, and leaves it on the newest when an older line gets a patch', () => {
    git(tmp, 'init', '-q', '--bare', origin);
    git(tmp, 'init', '-q', work);
    git(work, 'remote', 'add', 'origin', origin);
    const a = commit('1.0.0');
    expect(releaseTag('v1.0.0', a)).toBe(a);
    const b = commit('1.1.0');
    expect(releaseTag('v1.1.0', b)).toBe(b);
    const patch = commit('1.0.1');
    expect(releaseTag('v1.0.1', patch)).toBe(b);
    const c = commit('1.10.0');
    expect(releaseTag('v1.10.0', c)).toBe(c); // version order, not text order (1.10 > 1.9 > 1.1)
  });
});
