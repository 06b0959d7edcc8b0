import { describe, expect, it } from '@jest/globals';
import { allStatements, isWildcardAction, list, loadInfra, one, tfModule } from './infra-hcl.js';
import { RELEASES_DIR } from '../../src/frontend/releases.js';
import { LOCK_KEY } from '../../src/ops/lock.js';

const OIDC = 'modules/github-oidc';

function isTlsGuard(s: { effect: string; body: Record<string, unknown> }): boolean {
  return (
    s.effect === 'Deny' &&
    list(s.body.condition).some(
      (c) => c.variable === 'aws:SecureTransport' && c.test === 'Bool' && list(c.values).join() === 'false',
    )
  );
}

describe('IAM statements (every policy in infra/)', () => {
  it('finds the statements of every policy document and inline policy', async () => {
    const statements = allStatements((await loadInfra()).values());
    const docs = new Set(statements.map((s) => s.where));
    expect(docs.size).toBeGreaterThanOrEqual(8);
  });

  it('never grants a wildcard action, and never uses NotAction', async () => {
    const offenders: string[] = [];
    for (const s of allStatements((await loadInfra()).values())) {
      if (s.notActions.length > 0) offenders.push(`${s.where}: not_actions`);
      if (s.actions.length === 0) offenders.push(`${s.where}: statement without actions`);
      // The only wildcard allowed anywhere is the TLS-only guard: a Deny on aws:SecureTransport=false, where a
      // wildcard can only take permissions away (the form AWS Config / Security Hub S3.5 check for).
      if (isTlsGuard(s) && s.actions.every((a) => a === 's3:*')) continue;
      for (const a of s.actions) if (isWildcardAction(a)) offenders.push(`${s.where}: ${s.effect} ${a}`);
    }
    expect(offenders).toEqual([]);
  });

  it('the wildcard check itself catches "*", "service:*" and partial patterns', () => {
    expect(['*', 's3:*', 's3:Get*', 'lightsail:Get?'].every(isWildcardAction)).toBe(true);
    expect(['s3:GetObject', 'sts:AssumeRoleWithWebIdentity'].some(isWildcardAction)).toBe(false);
  });

  it('allows "*" as a resource only for calls without resource-level permissions, or limited by region', async () => {
    const noResourceLevel = new Set([
      'ecr-public:GetAuthorizationToken',
      'sts:GetServiceBearerToken',
      // The plan role's data-source reads: lookups by name, and CloudFront's AWS-owned managed policies.
      'cloudfront:ListCachePolicies',
      'cloudfront:GetCachePolicy',
      'cloudfront:ListOriginRequestPolicies',
      'cloudfront:GetOriginRequestPolicy',
      'route53:ListHostedZones',
      'route53:ListHostedZonesByName',
      'iam:ListOpenIDConnectProviders',
    ]);
    const offenders: string[] = [];
    for (const s of allStatements((await loadInfra()).values())) {
      if (s.effect !== 'Allow' || !s.resources.includes('*')) continue;
      const regionLimited = list(s.body.condition).some(
        (c) => c.variable === 'aws:RequestedRegion' && c.test === 'StringEquals',
      );
      const onlyTokenCalls = s.actions.every((a) => noResourceLevel.has(a));
      if (!(onlyTokenCalls || regionLimited)) offenders.push(`${s.where}: ${s.actions.join(',')}`);
    }
    expect(offenders).toEqual([]);
  });

  it('attaches no AWS managed policy but ReadOnlyAccess', async () => {
    const attached: string[] = [];
    for (const m of (await loadInfra()).values()) {
      for (const a of m.blocks('resource', 'aws_iam_role_policy_attachment'))
        attached.push(m.resolve(a.body.policy_arn));
    }
    expect(attached.length).toBeGreaterThan(0);
    for (const arn of attached)
      expect(arn).toMatch(/^arn:\$\{data\.aws_partition\.current\.partition\}:iam::aws:policy\/ReadOnlyAccess$/);
  });

  it('attaches it to the apply role only: the plan role, which pull requests assume, has an exact inline policy', async () => {
    const m = await tfModule(OIDC);
    const roles = m.blocks('resource', 'aws_iam_role_policy_attachment').map((a) => String(a.body.role));
    expect(roles).toEqual(['${aws_iam_role.this["infra_apply"].name}']);
  });
});

describe('GitHub OIDC trust', () => {
  it('federates with GitHub for the sts.amazonaws.com audience only, matching the subject exactly', async () => {
    const m = await tfModule(OIDC);
    const provider = m.block('resource', 'aws_iam_openid_connect_provider', 'github');
    expect(m.resolve(provider.url)).toBe('https://token.actions.githubusercontent.com');
    expect(provider.client_id_list).toEqual(['sts.amazonaws.com']);

    const trust = m.block('data', 'aws_iam_policy_document', 'trust');
    const s = one(trust.statement);
    expect(s.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(one(s.principals)).toEqual({ type: 'Federated', identifiers: ['${local.oidc_arn}'] });
    const byVar = Object.fromEntries(list(s.condition).map((c) => [m.resolve(c.variable), c]));
    expect(Object.keys(byVar).sort()).toEqual([
      'token.actions.githubusercontent.com:aud',
      'token.actions.githubusercontent.com:sub',
    ]);
    expect(byVar['token.actions.githubusercontent.com:aud']).toMatchObject({
      test: 'StringEquals',
      values: ['sts.amazonaws.com'],
    });
    // StringEquals, not StringLike: no wildcard subject can sneak in.
    expect(byVar['token.actions.githubusercontent.com:sub']).toMatchObject({
      test: 'StringEquals',
      values: '${each.value}',
    });
    const roles = m.block('resource', 'aws_iam_role', 'this');
    expect(roles.assume_role_policy).toBe('${data.aws_iam_policy_document.trust[each.key].json}');
  });
});

// Which subject each role trusts, and what each role may do (plan role without secret reads, apply role unable to
// change itself, exact actions per job): infra/modules/github-oidc/tests/policies.tftest.hcl, where the real AWS
// provider renders the policy documents (run by scripts/tf-check.sh in npm test).

describe('the deploy lock and the release manifests in IAM', () => {
  // The roles' object ARNs are built from these keys; a rename in src/ would leave the lock unreadable (a deploy
  // could not check it) or unwritable (a rollback could not lock), which no plan shows.
  it('names the objects src/ reads and writes: _releases/LOCK and the release manifests', async () => {
    const m = await tfModule(OIDC);
    expect(m.resolve('${local.lock_key}')).toBe(LOCK_KEY);
    expect(m.resolve('${local.releases_dir}')).toBe(RELEASES_DIR);
  });
});

describe('GitHub environments as code', () => {
  it('production requires reviewers and only deploys from main', async () => {
    const m = await tfModule('modules/github-environments');
    const prod = m.block('resource', 'github_repository_environment', 'production');
    expect(m.resolve(prod.environment)).toBe('production');
    expect(one(prod.reviewers).users).toBeDefined();
    expect(prod.can_admins_bypass).toBe(false);
    expect(one(one(prod.lifecycle).precondition).condition).toContain('> 0');
    expect(one(prod.deployment_branch_policy)).toEqual({ protected_branches: false, custom_branch_policies: true });
    const policy = m.block('resource', 'github_repository_environment_deployment_policy', 'production');
    expect(m.resolve(policy.branch_pattern)).toBe('main');
    expect(policy.environment).toBe('${github_repository_environment.production.environment}');
  });

  // The github provider is not in the local mirror, so this module is checked from its HCL.
  it('the deploy environments have no reviewers (no second approval) and deploy from main only', async () => {
    const m = await tfModule('modules/github-environments');
    expect(m.resolve(m.variable('deploy_environments').default)).toEqual(['production-frontend', 'production-backend']);
    const env = m.block('resource', 'github_repository_environment', 'deploy');
    expect(env.for_each).toBe('${toset(var.deploy_environments)}');
    expect(env.reviewers).toBeUndefined();
    expect(env.wait_timer ?? 0).toBe(0);
    // Administrators cannot bypass the main-only rule either (as in production).
    expect(env.can_admins_bypass).toBe(false);
    expect(one(env.deployment_branch_policy)).toEqual({ protected_branches: false, custom_branch_policies: true });
    const policy = m.block('resource', 'github_repository_environment_deployment_policy', 'deploy');
    expect(policy.for_each).toBe('${github_repository_environment.deploy}');
    expect(m.resolve(policy.branch_pattern)).toBe('main');
  });

  it('backup has no reviewers and no wait timer, so the weekly cron never waits', async () => {
    const m = await tfModule('modules/github-environments');
    const backup = m.block('resource', 'github_repository_environment', 'backup');
    expect(m.resolve(backup.environment)).toBe('backup');
    expect(backup.reviewers).toBeUndefined();
    expect(backup.wait_timer ?? 0).toBe(0);
  });

  it('envs/github wires the module with at least one reviewer', async () => {
    const env = await tfModule('envs/github');
    const mod = env.named('module').find((b) => b.name === 'environments')!.body;
    expect(mod).toMatchObject({
      production_environment: 'production',
      deploy_environments: ['production-frontend', 'production-backend'],
      backup_environment: 'backup',
      production_branch: 'main',
    });
    expect(one(env.variable('reviewer_usernames').validation).condition).toContain('>= 1');
  });
});
