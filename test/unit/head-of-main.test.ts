/**
 * scripts/assert-head-of-main.sh, which every production job of deploy.yml runs first: "Re-run jobs" on an older
 * run (whose commit is no longer the head of main) must fail before any credentials are assumed. Run against real
 * git repositories: a bare "origin" and a checkout of it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const script = path.resolve(import.meta.dirname, '..', '..', 'scripts', 'assert-head-of-main.sh');
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();

describe('scripts/assert-head-of-main.sh', () => {
  let dir: string;
  let checkout: string;
  let first: string;
  let second: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'head-of-main-'));
    const origin = path.join(dir, 'origin.git');
    git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
    checkout = path.join(dir, 'work');
    git(dir, 'clone', '-q', origin, checkout);
    git(checkout, 'checkout', '-q', '-b', 'main');
    const commit = (n: string) => {
      writeFileSync(path.join(checkout, 'f'), n);
      git(checkout, 'add', 'f');
      git(checkout, 'commit', '-q', '-m', n);
      git(checkout, 'push', '-q', 'origin', 'main');
      return git(checkout, 'rev-parse', 'HEAD');
    };
    first = commit('1');
    second = commit('2');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (sha: string | undefined) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.GITHUB_SHA;
    if (sha !== undefined) env.GITHUB_SHA = sha;
    const r = spawnSync('bash', [script, 'main'], { cwd: checkout, env, encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  };

  it('passes for the head of main', () => {
    expect(run(second)).toEqual({ code: 0, out: `deploying ${second}, the head of main\n` });
  });

  it('fails for an older commit (a re-run of an old deploy run), naming both commits', () => {
    const r = run(first);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `::error::this run deploys ${first}, but main is now at ${second}: not deploying an older commit`,
    );
  });

  it('fails without GITHUB_SHA', () => {
    const r = run(undefined);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('GITHUB_SHA is not set');
  });
});
