/**
 * scripts/tf-check.sh (run by `npm test`) refuses to run without a provider mirror, with a message that says how to
 * make one, before Terraform is started (so it never reaches for the network).
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './infra-hcl.js';

describe('scripts/tf-check.sh', () => {
  it('fails clearly when TF_PLUGIN_MIRROR holds no hashicorp/aws provider', () => {
    const r = spawnSync('bash', [path.join(repoRoot, 'scripts', 'tf-check.sh')], {
      env: { ...process.env, TF_PLUGIN_MIRROR: path.join(repoRoot, 'no-such-mirror') },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('holds no registry.terraform.io/hashicorp/aws provider');
    expect(r.stderr).toContain('terraform -chdir=infra/envs/prod providers mirror');
    expect(r.stdout).not.toContain('==');
  });
});
