import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraRoot, list, loadInfra, moduleDirs, one, tfModule } from './infra-hcl.js';

const REQUIRED_MODULES = [
  'acm',
  'backup',
  'frontend-cloudfront',
  'github-environments',
  'github-oidc',
  'lightsail',
  'route53',
];

describe('infra layout', () => {
  it('has every module the architecture needs', () => {
    expect(moduleDirs()).toEqual(expect.arrayContaining(REQUIRED_MODULES));
  });

  it.each(moduleDirs())(
    'module %s has main.tf, variables.tf, outputs.tf, versions.tf and a README with a usage block',
    (dir) => {
      const missing = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md'].filter(
        (f) => !existsSync(join(infraRoot, 'modules', dir, f)),
      );
      expect(missing).toEqual([]);
      const readme = readFileSync(join(infraRoot, 'modules', dir, 'README.md'), 'utf8');
      expect(readme).toMatch(/```hcl[\s\S]*module "[^"]+"[\s\S]*source\s*=\s*"[^"]*modules\/[^"]*"[\s\S]*```/);
    },
  );

  it.each(moduleDirs())('module %s pins Terraform >= 1.5 and its providers to a major range', async (dir) => {
    const m = await tfModule(`modules/${dir}`);
    const tf = one(m.files.find((f) => f.path.endsWith('versions.tf'))!.json.terraform);
    expect(tf.required_version).toMatch(/>=\s*1\.(5|[6-9]|1[0-9])/);
    const providers = one(tf.required_providers);
    for (const [name, spec] of Object.entries(providers) as [string, { source: string; version: string }][]) {
      expect(spec.source).toMatch(name === 'github' ? /^integrations\/github$/ : /^hashicorp\/aws$/);
      expect(spec.version).toMatch(name === 'github' ? />=\s*6\.0,\s*<\s*7\.0/ : />=\s*5\.0,\s*<\s*7\.0/);
    }
  });

  it('types and describes every variable, and validates the ones that take free-form values', async () => {
    const problems: string[] = [];
    for (const m of (await loadInfra()).values()) {
      for (const v of m.named('variable')) {
        if (typeof v.body.description !== 'string' || v.body.description.length < 10)
          problems.push(`${v.file}: ${v.name} lacks a description`);
        if (typeof v.body.type !== 'string') problems.push(`${v.file}: ${v.name} lacks a type`);
      }
      if (m.dir.startsWith('modules/') && !m.named('variable').some((v) => list(v.body.validation).length > 0)) {
        problems.push(`${m.dir}: no variable has a validation block`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes every output', async () => {
    const problems: string[] = [];
    for (const m of (await loadInfra()).values()) {
      for (const o of m.named('output')) {
        if (typeof o.body.description !== 'string' || o.body.description.length < 5)
          problems.push(`${o.file}: ${o.name}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('envs/prod wiring', () => {
  it('exposes the outputs the deploy workflow reads with terraform output -raw', async () => {
    const prod = await tfModule('envs/prod');
    const names = prod.named('output').map((o) => o.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'frontend_bucket',
        'distribution_id',
        'service_name',
        'backup_bucket',
        'frontend_deploy_role_arn',
        'backend_deploy_role_arn',
        'backup_role_arn',
        'site_url',
        'api_url',
        'infra_plan_role_arn',
        'infra_apply_role_arn',
      ]),
    );
  });

  it('serves shisha.toof.jp by default', async () => {
    const prod = await tfModule('envs/prod');
    expect(prod.variable('domain_name').default).toBe('shisha.toof.jp');
    const frontend = prod.named('module').find((b) => b.name === 'frontend')!.body;
    expect(frontend.domain_names).toEqual(['${var.domain_name}']);
  });

  it('issues the CloudFront certificate through a us-east-1 provider alias', async () => {
    const prod = await tfModule('envs/prod');
    const aliased = prod.named('provider').filter((p) => p.name === 'aws' && p.body.alias === 'us_east_1');
    expect(aliased).toHaveLength(1);
    expect(aliased[0]!.body.region).toBe('us-east-1');

    const acm = prod.named('module').find((b) => b.name === 'acm')!.body;
    expect(acm.source).toBe('../../modules/acm');
    expect(acm.providers).toEqual({ aws: '${aws.us_east_1}' });

    // The module itself refuses any other region, and the distribution only takes a us-east-1 ARN.
    const acmModule = await tfModule('modules/acm');
    const cert = acmModule.block('resource', 'aws_acm_certificate', 'this');
    expect(cert.validation_method).toBe('DNS');
    const pre = one(one(cert.lifecycle).precondition);
    expect(pre.condition).toMatch(/data\.aws_region\.current\.name == "us-east-1"/);
    const arnVar = (await tfModule('modules/frontend-cloudfront')).variable('acm_certificate_arn');
    expect(one(arnVar.validation).condition).toContain('arn:aws:acm:us-east-1:');
  });

  it('keeps the state in an encrypted, locked S3 backend', async () => {
    const prod = await tfModule('envs/prod');
    const tf = prod.files.flatMap((f) => list(f.json.terraform));
    const backend = tf.flatMap((t) => list(t.backend?.s3 ?? t.backend?.[0]?.s3))[0];
    expect(backend).toMatchObject({ encrypt: true, use_lockfile: true });
  });

  it('routes the API origin to the Lightsail service output and the deploy roles to the created resources', async () => {
    const prod = await tfModule('envs/prod');
    const mod = (n: string) => prod.named('module').find((b) => b.name === n)!.body;
    expect(mod('frontend').api_origin_domain).toBe('${module.lightsail.public_domain}');
    expect(mod('frontend').releases_prefix).toBe('_releases/');
    expect(mod('github_oidc')).toMatchObject({
      frontend_bucket_arn: '${module.frontend.bucket_arn}',
      distribution_arn: '${module.frontend.distribution_arn}',
      lightsail_service_arn: '${module.lightsail.service_arn}',
      backup_bucket_arn: '${module.backup.bucket_arn}',
      production_environment: 'production',
      backup_environment: 'backup',
    });
    const lightsail = await tfModule('modules/lightsail');
    expect(lightsail.variable('health_check_path').default).toBe('/health');
    const hc = one(
      one(
        lightsail.block('resource', 'aws_lightsail_container_service_deployment_version', 'bootstrap').public_endpoint,
      ).health_check,
    );
    expect(hc.path).toBe('${var.health_check_path}');
  });
});
