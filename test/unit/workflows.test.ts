/**
 * The workflows as GitHub runs them: GitHub's own parser and actionlint find nothing, and a model of the runner
 * (workflow-runner.ts) shows, for every workflow in the folder, the region each of our actions calls AWS in, how
 * many approvals a run asks for, that deploys wait for the tests of their commit, and that no deploy job can be
 * skipped by a diff of the push alone.
 */
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { actionlint } from './actionlint.js';
import { parseWorkflowFile, parseWorkflowText } from './workflow-parser.js';
import {
  awsCallsOf,
  environmentOf,
  loadWorkflow,
  needsOf,
  runJobs,
  walkJob,
  workflowFiles,
  workflowText,
  type Job,
  type RunJob,
} from './workflow-runner.js';
import { list, one, tfModule } from './infra-hcl.js';

const files = workflowFiles();
const text = workflowText;
const wf = loadWorkflow;
const allSteps = (f: string) => Object.values(wf(f).jobs).flatMap((j) => j.steps ?? []);

/** Jobs that change production: with assumed AWS credentials (not the lab), deploy either part or apply Terraform. */
const deploys = (j: Job): boolean =>
  (j.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials')) &&
  (j.steps ?? []).some(
    (s) =>
      s.uses === './actions/deploy-frontend' ||
      s.uses === './actions/deploy-backend' ||
      /terraform apply/.test(s.run ?? ''),
  );
const deployWorkflows = files.filter((f) => Object.values(wf(f).jobs).some(deploys));

/** The GitHub environments as infra/modules/github-environments makes them (the github provider cannot be planned here). */
async function githubEnvironments() {
  const m = await tfModule('modules/github-environments');
  const reviewed = m
    .blocks('resource', 'github_repository_environment')
    .filter((b) => b.body.reviewers)
    .map((b) => m.resolve(b.body.environment) as string);
  const withoutReviewers = [
    m.resolve(m.block('resource', 'github_repository_environment', 'backup').environment) as string,
    ...(m.resolve(m.variable('deploy_environments').default) as string[]),
  ];
  return {
    reviewed: new Set(reviewed),
    deploy: new Set(m.resolve(m.variable('deploy_environments').default) as string[]),
    all: new Set([...reviewed, ...withoutReviewers]),
  };
}

/** The region of the S3 buckets and the Lightsail service, as infra/envs/prod sets it (and the backend role's limit). */
async function productionRegion(): Promise<string> {
  const prod = await tfModule('envs/prod');
  const oidc = prod.named('module').find((b) => b.name === 'github_oidc')!.body;
  expect(oidc.lightsail_region).toBe('${var.region}');
  return prod.resolve(prod.variable('region').default) as string;
}

describe('workflows as GitHub reads them', () => {
  it('has at least ci, deploy, backup, infra-plan, release and rollback', () => {
    expect(files).toEqual(
      expect.arrayContaining(['backup.yml', 'ci.yml', 'deploy.yml', 'infra-plan.yml', 'release.yml', 'rollback.yml']),
    );
  });

  it.each(files)("%s: GitHub's workflow parser (@actions/workflow-parser) reports no error", async (f) => {
    const { errors, template } = await parseWorkflowFile(`.github/workflows/${f}`);
    expect(errors).toEqual([]);
    expect(template.jobs.length).toBeGreaterThan(0);
  });

  it("GitHub's parser does catch a broken workflow (the check can fail)", async () => {
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    environment: { nme: production }\n    steps:\n      - run: echo ${{ github.sha ) }}\n';
    expect((await parseWorkflowText('bad.yml', bad)).errors.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: actionlint reports nothing', async (f) => {
    expect(await actionlint(text(f), `.github/workflows/${f}`)).toEqual([]);
  });

  it('actionlint does catch a broken workflow (the check can fail)', async () => {
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope.x }}\n    needs: [missing]\n';
    expect((await actionlint(bad, 'bad.yml')).length).toBeGreaterThan(0);
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

  it.each(files)('%s: no job can write to the repository (but the one that moves the major tag)', (f) => {
    const w = wf(f);
    expect(w.permissions?.contents ?? 'read').toBe('read');
    for (const [name, j] of Object.entries(w.jobs)) {
      const allowed = f === 'release.yml' && name === 'major-tag' ? 'write' : 'read';
      if (j.permissions)
        expect({ name, contents: j.permissions.contents ?? 'read' }).toEqual({ name, contents: allowed });
    }
  });

  it('release.yml: on a version tag, checks dist and runs the tests before the major tag moves', () => {
    const w = wf('release.yml');
    expect(w.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } });
    const check = (w.jobs.check!.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(check).toMatch(/npm run check-dist/);
    expect(check).toMatch(/bash \.ci\/run/);
    expect(check).toMatch(/npm pack/);
    const tag = w.jobs['major-tag']!;
    expect(tag.needs).toBe('check');
    expect(tag.permissions).toEqual({ contents: 'write' });
    expect((tag.steps ?? []).map((s) => s.run ?? '').join('\n')).toMatch(
      /git push --force origin "refs\/tags\/\$\{major\}"/,
    );
  });
});

describe('the runner model', () => {
  it('sees GITHUB_ENV override the workflow env, in ${{ env.X }} too, and a step env override both', () => {
    const w = parse(`
on: push
env: { AWS_REGION: ap-northeast-1 }
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@x
        with: { aws-region: us-east-1 }
      - uses: ./actions/deploy-backend
        env: { AWS_REGION: '\${{ env.AWS_REGION }}' }
      - uses: ./actions/deploy-backend
        with: { region: ap-northeast-1 }
      - uses: ./actions/db-backup
        env: { AWS_REGION: eu-west-1 }
`);
    const regions = walkJob(w, w.jobs.j)
      .flatMap(awsCallsOf)
      .map((c) => c.region);
    expect(regions).toEqual(['us-east-1', 'ap-northeast-1', 'eu-west-1']);
  });
});

describe('region of every AWS call (issue #13, point 1)', () => {
  it.each(files)(
    '%s: each of our actions and CLI calls made with assumed credentials goes to the production region',
    async (f) => {
      const region = await productionRegion();
      const w = wf(f);
      const wrong: string[] = [];
      for (const [id, job] of Object.entries(w.jobs)) {
        for (const s of walkJob(w, job)) {
          if (!s.assumedRole) continue; // lab jobs: stand-ins, no real AWS
          for (const call of awsCallsOf(s)) {
            // A GITHUB_ENV write this model cannot read could have changed AWS_REGION: name the region explicitly.
            if (s.opaqueEnv && !s.inputs.region)
              wrong.push(`${id} step ${s.index + 1} ${call.what}: region unknown after an unreadable GITHUB_ENV write`);
            else if (call.region !== region)
              wrong.push(`${id} step ${s.index + 1} ${call.what}: ${call.region || '(none)'}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it('deploy.yml: the backend job logs in to ECR Public in us-east-1, yet deploys to Lightsail in the production region', async () => {
    const w = wf('deploy.yml');
    const steps = walkJob(w, w.jobs['deploy-backend']!);
    const deploy = steps.find((s) => s.step.uses === './actions/deploy-backend')!;
    expect(deploy.env.AWS_REGION).toBe('us-east-1'); // what configure-aws-credentials left behind
    expect(awsCallsOf(deploy)).toEqual([
      { what: './actions/deploy-backend (Lightsail)', region: await productionRegion() },
    ]);
  });
});

describe('approvals (issue #13, point 4)', () => {
  it.each(files)('%s: a run asks for at most one approval; deploy.yml for exactly one', async (f) => {
    const { reviewed } = await githubEnvironments();
    const gated = runJobs(f).filter((j) => reviewed.has(environmentOf(j.job) ?? ''));
    expect(gated.length).toBeLessThanOrEqual(1);
    if (deployWorkflows.includes(f)) expect(gated).toHaveLength(1);
  });

  it.each(files)(
    '%s: every job in a deploy environment (no reviewers) runs only after the approved job, never with always()',
    async (f) => {
      const { reviewed, deploy } = await githubEnvironments();
      const jobs = runJobs(f);
      const approved = new Set(jobs.filter((j) => reviewed.has(environmentOf(j.job) ?? '')).map((j) => j.id));
      const chain = (j: RunJob): Job[] => [j.job, ...jobs.filter((o) => j.ancestors.has(o.id)).map((o) => o.job)];
      for (const j of jobs.filter((x) => deploy.has(environmentOf(x.job) ?? ''))) {
        expect([...j.ancestors].some((a) => approved.has(a))).toBe(true);
        // A status function (needed to run after a skipped sibling) is allowed only beside an explicit
        // `needs.<approved job>.result == 'success'`: without it the job would run after a rejected approval.
        for (const c of chain(j)) {
          const cond = String(c.if ?? '');
          if (!/always\(\)|failure\(\)|cancelled\(\)/.test(cond)) continue;
          expect({ if: cond, always: /always\(\)/.test(cond) }).toEqual({ if: cond, always: false });
          expect({
            if: cond,
            gated: [...approved].some((a) => cond.includes(`needs.${a}.result == 'success'`) && needsOf(c).includes(a)),
          }).toEqual({ if: cond, gated: true });
        }
      }
    },
  );

  it.each(files)(
    '%s: every job that assumes an AWS role runs in an environment limited to main (OIDC subject environment:<name>)',
    async (f) => {
      const { all } = await githubEnvironments();
      const w = wf(f);
      for (const [id, job] of Object.entries(w.jobs)) {
        const assumes = (job.steps ?? []).some(
          (s) =>
            s.uses?.startsWith('aws-actions/configure-aws-credentials') &&
            !/plan/i.test(String(s.with?.['role-to-assume'])),
        );
        if (!assumes) continue;
        expect({ id, environment: environmentOf(job) }).toEqual({ id, environment: expect.stringMatching(/./) });
        expect(all.has(environmentOf(job)!)).toBe(true);
      }
    },
  );

  it('the environments are limited to main and each deploy role trusts only its job environment', async () => {
    const m = await tfModule('modules/github-environments');
    for (const name of ['production', 'deploy', 'backup']) {
      const policy = m.block('resource', 'github_repository_environment_deployment_policy', name);
      expect(m.resolve(policy.branch_pattern)).toBe('main');
    }
    const prod = await tfModule('envs/prod');
    const oidc = prod.named('module').find((b) => b.name === 'github_oidc')!.body;
    const w = wf('deploy.yml');
    expect({
      production: oidc.production_environment,
      frontend: oidc.frontend_environment,
      backend: oidc.backend_environment,
    }).toEqual({
      production: environmentOf(w.jobs.infra!),
      frontend: environmentOf(w.jobs['deploy-frontend']!),
      backend: environmentOf(w.jobs['deploy-backend']!),
    });
  });
});

describe('test gate (issue #13, point 3)', () => {
  it('ci.yml can be called by another workflow and tests pull requests', () => {
    expect(Object.keys(wf('ci.yml').on).sort()).toEqual(['pull_request', 'workflow_call']);
  });

  it.each(deployWorkflows)(
    '%s: every job that changes production waits for ci.yml of the same run (same commit)',
    (f) => {
      const jobs = runJobs(f);
      const testJobs = new Set(jobs.filter((j) => j.job.uses === './.github/workflows/ci.yml').map((j) => j.id));
      expect(testJobs.size).toBeGreaterThan(0);
      for (const j of jobs.filter((x) => deploys(x.job))) {
        expect({ job: j.id, gated: [...j.ancestors].some((a) => testJobs.has(a)) }).toEqual({ job: j.id, gated: true });
      }
      // The approval is asked for only after the tests passed.
      for (const j of jobs.filter((x) => x.job.environment))
        expect([...j.ancestors].some((a) => testJobs.has(a))).toBe(true);
    },
  );
});

describe('deploy by content (issue #13, point 2)', () => {
  it.each(deployWorkflows)('%s: no deploy job can be skipped by a diff of the push alone', (f) => {
    const w = wf(f);
    const push = w.on.push as Record<string, unknown> | null | undefined;
    expect(Object.keys(push ?? {}).filter((k) => /paths/.test(k))).toEqual([]);
    const steps = Object.values(w.jobs).flatMap((j) => j.steps ?? []);
    expect(
      steps.filter((s) => /paths-filter|changed-files/.test(s.uses ?? '') || /git diff/.test(s.run ?? '')),
    ).toEqual([]);
    for (const j of runJobs(f).filter((x) => deploys(x.job))) {
      const chain = [
        j.job,
        ...runJobs(f)
          .filter((o) => j.ancestors.has(o.id))
          .map((o) => o.job),
      ];
      for (const c of chain) expect(String(c.if ?? '')).not.toMatch(/outputs|github\.event\.(commits|head_commit)/);
    }
    expect(
      Object.values(w.jobs)
        .filter(deploys)
        .map((j) => j.if),
    ).toEqual(
      Object.values(w.jobs)
        .filter(deploys)
        .map(() => undefined),
    );
  });

  it('deploy.yml: deploys the API by digest from a cached, reproducible build, with nothing per-commit in its environment', () => {
    const be = wf('deploy.yml').jobs['deploy-backend']!.steps!;
    const build = be.find((s) => s.uses?.startsWith('docker/build-push-action'))!;
    expect(build.with).toMatchObject({
      platforms: 'linux/amd64',
      push: true,
      'cache-from': 'type=gha',
      'cache-to': 'type=gha,mode=max',
    });
    expect(build.env).toMatchObject({ SOURCE_DATE_EPOCH: 0 });
    expect(be.find((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login'))?.with).toEqual({
      'registry-type': 'public',
    });
    const deploy = be.find((s) => s.uses === './actions/deploy-backend')!;
    expect(String(deploy.with?.image)).toMatch(/@\$\{\{ steps\.build\.outputs\.digest \}\}$/);
    expect(deploy.with?.['service-name']).toBe('${{ needs.infra.outputs.service-name }}');
    // A value that changes on every commit (github.sha, run ids) would make every push a new Lightsail deployment.
    expect(String(deploy.with?.environment)).not.toMatch(/github\.(sha|run_id|run_number)/);
  });

  it('deploy.yml: push to main and manual runs; infra feeds never-cancelled deploy jobs', () => {
    const w = wf('deploy.yml');
    expect(w.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: null });
    expect(w.concurrency?.['cancel-in-progress']).toBe(false);
    const infra = w.jobs.infra!;
    expect(Object.keys(infra.outputs ?? {})).toEqual(
      expect.arrayContaining(['bucket', 'distribution-id', 'service-name']),
    );
    for (const name of ['deploy-frontend', 'deploy-backend']) {
      const job = w.jobs[name]!;
      expect(job.needs).toEqual('infra');
      expect(typeof job.environment === 'object' && job.environment.url).toBeTruthy();
      expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
      expect(job.concurrency?.['cancel-in-progress']).toBe(false);
    }
    const fe = w.jobs['deploy-frontend']!.steps!.find((s) => s.uses === './actions/deploy-frontend')!;
    expect(fe.with).toMatchObject({
      bucket: '${{ needs.infra.outputs.bucket }}',
      'distribution-id': '${{ needs.infra.outputs.distribution-id }}',
    });
    expect(w.jobs['deploy-frontend']!.steps!.find((s) => s.env?.VITE_API_BASE_URL)!.env!.VITE_API_BASE_URL).toMatch(
      /\/api\/v1$/,
    );
  });
});

describe('the other workflows', () => {
  it('backup.yml: weekly Monday 00:00 UTC and manual, in the backup environment, with a matching pg_dump', () => {
    const w = wf('backup.yml');
    expect(w.on).toMatchObject({ schedule: [{ cron: '0 0 * * 1' }], workflow_dispatch: null });
    expect(w.permissions).toEqual({ contents: 'read' });
    const job = w.jobs.backup!;
    expect(environmentOf(job)).toBe('backup');
    expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    expect((job.steps ?? []).map((s) => s.run ?? '').join('\n')).toMatch(/postgresql-client-\$\{PG_MAJOR\}/);
    const step = (job.steps ?? []).find((s) => s.uses === './actions/db-backup')!;
    expect(step.with?.['database-url']).toBe('${{ secrets.DATABASE_URL }}');
  });

  it('backup.yml: every backup is drilled on a pinned supabase/postgres 15 image; deploy.yml checks backups are fresh', () => {
    const job = wf('backup.yml').jobs.backup! as Job & {
      services?: Record<string, { image: string; ports: string[] }>;
    };
    const db = Object.values(job.services ?? {})[0]!;
    expect(db.image).toMatch(/^supabase\/postgres:15\.\d+\.\d+\.\d+$/);
    const port = db.ports[0]!.split(':')[0];
    const step = (job.steps ?? []).find((s) => s.uses === './actions/db-backup')!;
    expect(step.with?.['drill-url']).toMatch(new RegExp(`^postgresql://postgres:[^@]+@localhost:${port}/postgres$`));
    const deploy = allSteps('deploy.yml').map((s) => s.run ?? '');
    expect(deploy.some((r) => /backup check --bucket .* --max-age-days 8/.test(r))).toBe(true);
  });

  it('ci.yml: runs each action once against the lab, actionlint, and the Terraform tests from a provider mirror', () => {
    const used = allSteps('ci.yml').map((s) => s.uses);
    for (const a of ['deploy-frontend', 'deploy-backend', 'db-backup']) expect(used).toContain(`./actions/${a}`);
    const runs = allSteps('ci.yml')
      .map((s) => s.run ?? '')
      .join('\n');
    expect(runs).toContain('.ci/run');
    expect(runs).toContain('actionlint');
    expect(runs).toMatch(/terraform -chdir=infra\/envs\/prod providers mirror/);
    expect(runs).toMatch(/TF_PLUGIN_MIRROR=/);
  });

  it('deploy.yml: after both deploys, verifies the live site (frontend role) and shows the production status (backend role)', () => {
    const w = wf('deploy.yml');
    const ops = (id: string) =>
      (w.jobs[id]!.steps ?? []).filter((s) => s.uses === './actions/ops').map((s) => s.with ?? {});
    for (const [id, env] of [
      ['verify', 'production-frontend'],
      ['status', 'production-backend'],
    ] as const) {
      const job = w.jobs[id]!;
      expect(job.needs).toEqual(expect.arrayContaining(['deploy-frontend', 'deploy-backend']));
      expect(environmentOf(job)).toBe(env);
    }
    expect(ops('verify').map((s) => s.command)).toEqual(['verify']);
    expect(ops('status')).toEqual([
      expect.objectContaining({
        command: 'status',
        region: '${{ env.PROD_REGION }}',
        'backup-bucket': '${{ needs.infra.outputs.backup-bucket }}',
      }),
    ]);
  });

  it('rollback.yml: manual, one approval (gate), each part in its deploy environment, the ops action rolls back or unlocks, never beside a deploy', () => {
    const w = wf('rollback.yml');
    const inputs = (
      w.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[]; default?: unknown }> }
    ).inputs;
    expect(Object.keys(w.on)).toEqual(['workflow_dispatch']);
    expect(inputs.part).toMatchObject({ type: 'choice', options: ['frontend', 'backend', 'both'] });
    expect(inputs.target).toMatchObject({ type: 'string', default: 'previous' });
    expect(inputs.unlock).toMatchObject({ type: 'boolean', default: false });
    // Not the deploy run's group (held through its approval; a push would cancel a rollback pending there): each
    // rollback job joins its part's deploy-job group, so it never runs beside that deploy and nothing cancels it.
    expect(w.concurrency).toBeUndefined();
    const deploy = wf('deploy.yml');
    expect(w.jobs['rollback-frontend']!.concurrency).toEqual(deploy.jobs['deploy-frontend']!.concurrency);
    expect(w.jobs['rollback-backend']!.concurrency).toEqual(deploy.jobs['deploy-backend']!.concurrency);
    expect(w.jobs['rollback-frontend']!.concurrency?.group).not.toBe(deploy.concurrency?.group);
    const jobs = Object.entries(w.jobs).map(([id, j]) => ({
      id,
      environment: environmentOf(j),
      needs: needsOf(j),
      ops: (j.steps ?? [])
        .filter((s) => s.uses === './actions/ops')
        .map((s) => `${String(s.with?.command)} ${String(s.with?.part ?? '')}`.trim()),
    }));
    expect(jobs).toEqual([
      { id: 'gate', environment: 'production', needs: [], ops: [] },
      { id: 'unlock', environment: 'production-frontend', needs: ['gate'], ops: ['unlock'] },
      { id: 'rollback-frontend', environment: 'production-frontend', needs: ['gate'], ops: ['rollback frontend'] },
      {
        id: 'rollback-backend',
        environment: 'production-backend',
        needs: ['gate', 'rollback-frontend'],
        ops: ['rollback backend'],
      },
    ]);
    // The names come from the Terraform outputs, read with the infra role in the approved job: no plan role.
    expect(text('rollback.yml')).not.toMatch(/PLAN_ROLE/);
    expect((w.jobs.gate!.steps ?? []).map((s) => s.run ?? '').join('\n')).not.toMatch(/terraform (apply|plan)/);
  });

  it.each(files)(
    '%s: every job that runs the tests (.ci/run, npm test) has a Terraform provider mirror (TF_PLUGIN_MIRROR) first',
    (f) => {
      const w = wf(f);
      for (const [id, job] of Object.entries(w.jobs)) {
        for (const s of walkJob(w, job)) {
          if (!/\.ci\/run|npm (run )?test\b/.test(s.step.run ?? '')) continue;
          expect({ id, step: s.index + 1, TF_PLUGIN_MIRROR: Boolean(s.env.TF_PLUGIN_MIRROR) }).toEqual({
            id,
            step: s.index + 1,
            TF_PLUGIN_MIRROR: true,
          });
        }
      }
    },
  );

  it('deploy.yml: every job that changes production first checks that its commit is still the head of main', () => {
    const w = wf('deploy.yml');
    const changing = Object.entries(w.jobs).filter(([, j]) => deploys(j));
    expect(changing.map(([id]) => id).sort()).toEqual(['deploy-backend', 'deploy-frontend', 'infra']);
    for (const [id, j] of changing) {
      const steps = j.steps ?? [];
      const check = steps.findIndex((s) => /^scripts\/assert-head-of-main\.sh main$/.test((s.run ?? '').trim()));
      const creds = steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
      expect({ id, checkedBeforeCredentials: check >= 0 && check < creds }).toEqual({
        id,
        checkedBeforeCredentials: true,
      });
    }
  });

  it('each role is assumed only in the environment its trust names (infra: production; deploy roles: their job environments)', async () => {
    const prod = await tfModule('envs/prod');
    const oidc = prod.named('module').find((b) => b.name === 'github_oidc')!.body;
    const roleEnv: Record<string, unknown> = {
      'secrets.AWS_INFRA_ROLE_ARN': oidc.production_environment,
      'outputs.frontend-role': oidc.frontend_environment,
      'outputs.backend-role': oidc.backend_environment,
      'secrets.AWS_BACKUP_ROLE_ARN': oidc.backup_environment,
    };
    const seen: string[] = [];
    for (const f of files) {
      for (const [id, job] of Object.entries(wf(f).jobs)) {
        for (const s of job.steps ?? []) {
          if (!s.uses?.startsWith('aws-actions/configure-aws-credentials')) continue;
          const role = String(s.with?.['role-to-assume']);
          if (/PLAN_ROLE/.test(role)) continue; // trusted by pull requests and main pushes, reads no secret
          const key = Object.keys(roleEnv).find((k) => role.includes(k));
          expect({ f, id, role, known: Boolean(key) }).toEqual({ f, id, role, known: true });
          expect({ f, id, role, environment: environmentOf(job) }).toEqual({ f, id, role, environment: roleEnv[key!] });
          seen.push(`${f} ${id}`);
        }
      }
    }
    expect(seen).toEqual(
      expect.arrayContaining([
        'deploy.yml verify',
        'deploy.yml status',
        'rollback.yml gate',
        'rollback.yml rollback-backend',
      ]),
    );
  });

  it('infra-plan.yml: plans pull requests without refreshing (the plan role reads no live resource) and never applies', () => {
    const w = wf('infra-plan.yml');
    expect(w.on).toEqual({ pull_request: { paths: ['infra/**'] } });
    const runs = allSteps('infra-plan.yml')
      .map((s) => s.run ?? '')
      .join('\n');
    expect(runs).toMatch(/terraform plan .*-refresh=false/);
    expect(runs).toMatch(/GITHUB_STEP_SUMMARY/);
    expect(runs).not.toMatch(/terraform apply/);
    const creds = allSteps('infra-plan.yml').find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'))!;
    expect(creds.with?.['role-to-assume']).toBe('${{ secrets.AWS_PLAN_ROLE_ARN }}');
  });

  it('the plan role trusts pull requests, so it is the one role denied secret reads (checked by github-oidc/tests)', async () => {
    const m = await tfModule('modules/github-oidc');
    const doc = m.block('data', 'aws_iam_policy_document', 'infra_plan');
    const deny = list(doc.statement).find((s) => s.sid === 'NoSecretReads');
    expect(one(list(deny))).toMatchObject({ effect: 'Deny', actions: '${local.secret_reads}' });
  });
});
