import { describe, expect, it } from '@jest/globals';
import { allStatements, isWildcardAction, list, loadInfra, one, tfModule } from './infra-hcl.js';

const OIDC = 'modules/github-oidc';

function isTlsGuard(s: { effect: string; body: Record<string, unknown> }): boolean {
  return (
    s.effect === 'Deny' &&
    list(s.body.condition).some((c) => c.variable === 'aws:SecureTransport' && c.test === 'Bool' && list(c.values).join() === 'false')
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
    ]);
    const offenders: string[] = [];
    for (const s of allStatements((await loadInfra()).values())) {
      if (s.effect !== 'Allow' || !s.resources.includes('*')) continue;
      const regionLimited = list(s.body.condition).some((c) => c.variable === 'aws:RequestedRegion' && c.test === 'StringEquals');
      const onlyTokenCalls = s.actions.every((a) => noResourceLevel.has(a));
      if (!(onlyTokenCalls || regionLimited)) offenders.push(`${s.where}: ${s.actions.join(',')}`);
    }
    expect(offenders).toEqual([]);
  });

  it('attaches no AWS managed policy but ReadOnlyAccess', async () => {
    const attached: string[] = [];
    for (const m of (await loadInfra()).values()) {
      for (const a of m.blocks('resource', 'aws_iam_role_policy_attachment')) attached.push(m.resolve(a.body.policy_arn));
    }
    expect(attached.length).toBeGreaterThan(0);
    for (const arn of attached) expect(arn).toMatch(/^arn:\$\{data\.aws_partition\.current\.partition\}:iam::aws:policy\/ReadOnlyAccess$/);
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
    expect(Object.keys(byVar).sort()).toEqual(['token.actions.githubusercontent.com:aud', 'token.actions.githubusercontent.com:sub']);
    expect(byVar['token.actions.githubusercontent.com:aud']).toMatchObject({ test: 'StringEquals', values: ['sts.amazonaws.com'] });
    // StringEquals, not StringLike: no wildcard subject can sneak in.
    expect(byVar['token.actions.githubusercontent.com:sub']).toMatchObject({ test: 'StringEquals', values: '${each.value}' });
    const roles = m.block('resource', 'aws_iam_role', 'this');
    expect(roles.assume_role_policy).toBe('${data.aws_iam_policy_document.trust[each.key].json}');
  });

  it('trusts deploy and apply roles only from the production environment of this repository', async () => {
    const m = await tfModule(OIDC);
    const locals = m.locals();
    expect(m.resolve(locals.production_subject)).toBe('repo:${var.github_repository}:environment:production');
    expect(m.resolve(locals.backup_subject)).toBe('repo:${var.github_repository}:environment:backup');
    expect(list(locals.plan_subjects).map((x: string) => m.resolve(x))).toEqual([
      'repo:${var.github_repository}:pull_request',
      'repo:${var.github_repository}:ref:refs/heads/main',
    ]);
    const map = String(locals.trust_subjects).replace(/\s+/g, ' ');
    expect(map).toContain('frontend_deploy = [local.production_subject]');
    expect(map).toContain('backend_deploy = [local.production_subject]');
    expect(map).toContain('backup = [local.backup_subject]');
    expect(map).toContain('infra_plan = local.plan_subjects');
    expect(map).toContain('{ infra_apply = [local.production_subject] }');
    expect(map).not.toMatch(/\*/);
    // the repository must be owner/name exactly (no wildcard owner or name)
    const repo = one(m.variable('github_repository').validation);
    expect(repo.condition).toContain('^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$');
  });
});

describe('role permissions (least privilege per job)', () => {
  async function doc(name: string) {
    const m = await tfModule(OIDC);
    const d = m.block('data', 'aws_iam_policy_document', name);
    return [...list(d.statement), ...list(d.dynamic?.statement).flatMap((x) => list(x.content))];
  }
  const actionsOf = (statements: Record<string, unknown>[]) => statements.flatMap((s) => list(s.actions)).sort();

  it('frontend deploy: the SPA bucket and invalidations of its distribution', async () => {
    const st = await doc('frontend_deploy');
    expect(actionsOf(st)).toEqual(
      [
        's3:AbortMultipartUpload',
        's3:DeleteObject',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:ListBucket',
        's3:ListMultipartUploadParts',
        's3:PutObject',
        'cloudfront:GetDistribution',
        'cloudfront:CreateInvalidation',
        'cloudfront:GetInvalidation',
      ].sort(),
    );
    const cf = st.find((s) => list(s.actions).includes('cloudfront:CreateInvalidation'));
    expect(cf.resources).toEqual(['${var.distribution_arn}']);
  });

  it('backend deploy: one Lightsail service, one image repository, registry login', async () => {
    const st = await doc('backend_deploy');
    expect(actionsOf(st)).toEqual(
      [
        'lightsail:CreateContainerServiceDeployment',
        'lightsail:GetContainerServices',
        'lightsail:GetContainerServiceDeployments',
        'lightsail:GetContainerLog',
        'ecr-public:BatchCheckLayerAvailability',
        'ecr-public:InitiateLayerUpload',
        'ecr-public:UploadLayerPart',
        'ecr-public:CompleteLayerUpload',
        'ecr-public:PutImage',
        'ecr-public:DescribeImages',
        'ecr-public:DescribeRepositories',
        'ecr-public:GetAuthorizationToken',
        'sts:GetServiceBearerToken',
      ].sort(),
    );
    expect(st.find((s) => list(s.actions).includes('lightsail:CreateContainerServiceDeployment')).resources).toEqual([
      '${var.lightsail_service_arn}',
    ]);
    expect(st.find((s) => list(s.actions).includes('ecr-public:PutImage')).resources).toEqual(['${statement.value}']);
  });

  it('backup: write, list and read under backups/ only, and no delete (the lifecycle rule expires backups)', async () => {
    const st = await doc('backup');
    const actions = actionsOf(st);
    expect(actions).toEqual(
      [
        's3:AbortMultipartUpload',
        's3:GetObject',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:ListMultipartUploadParts',
        's3:PutObject',
      ].sort(),
    );
    expect(actions.some((a) => /Delete/.test(a))).toBe(false);
    const objects = st.find((s) => list(s.actions).includes('s3:PutObject'));
    expect(objects.resources).toEqual(['${var.backup_bucket_arn}/${var.backup_prefix}*']);
    const listing = st.find((s) => list(s.actions).includes('s3:ListBucket'));
    expect(one(listing.condition)).toMatchObject({ variable: 's3:prefix', values: ['${var.backup_prefix}', '${var.backup_prefix}*'] });
  });

  it('plan: read-only, reads the state, and cannot read database backups', async () => {
    const st = await doc('infra_plan');
    const allow = st.filter((s) => (s.effect ?? 'Allow') === 'Allow');
    expect(actionsOf(allow)).toEqual(['s3:GetObject', 's3:ListBucket']);
    const deny = st.find((s) => s.effect === 'Deny');
    expect(deny.resources).toEqual(['${var.backup_bucket_arn}/*']);
    expect(list(deny.actions)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:GetObjectVersion']));
  });

  it('apply: cannot attach any managed policy but ReadOnlyAccess, touches only pipeline roles, cannot read backups', async () => {
    const st = await doc('infra_apply');
    const attach = st.find((s) => list(s.actions).includes('iam:AttachRolePolicy'));
    expect(one(attach.condition)).toMatchObject({ test: 'ArnEquals', variable: 'iam:PolicyARN', values: ['${local.readonly_arn}'] });
    for (const s of st.filter((x) => list(x.actions).some((a: string) => a.startsWith('iam:') && a.includes('Role')))) {
      expect(s.resources).toEqual(['arn:${data.aws_partition.current.partition}:iam::${local.account_id}:role/${var.name_prefix}-*']);
    }
    expect(actionsOf(st).filter((a) => /^(s3:DeleteBucket|cloudfront:DeleteDistribution|lightsail:DeleteContainerService|iam:DeleteRole)$/.test(a))).toEqual([]);
    expect(st.find((s) => s.effect === 'Deny').resources).toEqual(['${var.backup_bucket_arn}/*']);
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
    expect(mod).toMatchObject({ production_environment: 'production', backup_environment: 'backup', production_branch: 'main' });
    expect(one(env.variable('reviewer_usernames').validation).condition).toContain('>= 1');
  });
});
