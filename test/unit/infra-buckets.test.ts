import { describe, expect, it } from '@jest/globals';
import { list, loadInfra, one, tfModule, type TfModule } from './infra-hcl.js';

// Every bucket the modules create, by module.
async function buckets(): Promise<{ m: TfModule; name: string }[]> {
  const out: { m: TfModule; name: string }[] = [];
  for (const m of (await loadInfra()).values()) {
    for (const b of m.blocks('resource', 'aws_s3_bucket')) out.push({ m, name: b.name });
  }
  return out;
}

/** The resource of `type` that configures bucket `name` (bucket = aws_s3_bucket.<name>.id). */
function forBucket(m: TfModule, type: string, name: string) {
  const found = m.blocks('resource', type).filter((b) => b.body.bucket === `\${aws_s3_bucket.${name}.id}`);
  if (found.length !== 1)
    throw new Error(`${m.dir}: expected one ${type} for aws_s3_bucket.${name}, found ${found.length}`);
  return found[0]!.body;
}

/** The aws_iam_policy_document behind the bucket's aws_s3_bucket_policy. */
function bucketPolicyDoc(m: TfModule, name: string) {
  const policy = forBucket(m, 'aws_s3_bucket_policy', name);
  const ref = /^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_]+)\.json\}$/.exec(policy.policy);
  if (!ref) throw new Error(`${m.dir}: bucket policy of ${name} is not an aws_iam_policy_document`);
  return m.block('data', 'aws_iam_policy_document', ref[1]!);
}

// Generic over every bucket any module creates (a new bucket is checked without a new test), which one plan of
// one module cannot show; the TLS-only Deny lives in a policy document that Terraform reads only at apply time.
describe('S3 secure defaults (every bucket)', () => {
  it('finds the SPA and backup buckets', async () => {
    const names = (await buckets()).map(({ m, name }) => `${m.dir}:${name}`);
    expect(names).toEqual(expect.arrayContaining(['modules/frontend-cloudfront:spa', 'modules/backup:backups']));
  });

  it('blocks all public access', async () => {
    for (const { m, name } of await buckets()) {
      expect(forBucket(m, 'aws_s3_bucket_public_access_block', name)).toMatchObject({
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    }
  });

  it('encrypts with SSE-S3 (AES256) and disables ACLs', async () => {
    for (const { m, name } of await buckets()) {
      const sse = forBucket(m, 'aws_s3_bucket_server_side_encryption_configuration', name);
      expect(one(one(sse.rule).apply_server_side_encryption_by_default).sse_algorithm).toBe('AES256');
      const own = forBucket(m, 'aws_s3_bucket_ownership_controls', name);
      expect(one(own.rule).object_ownership).toBe('BucketOwnerEnforced');
    }
  });

  it('denies every request that does not use TLS, on the bucket and its objects', async () => {
    for (const { m, name } of await buckets()) {
      const doc = bucketPolicyDoc(m, name);
      const tls = list(doc.statement).find((s) =>
        list(s.condition).some(
          (c) => c.variable === 'aws:SecureTransport' && c.test === 'Bool' && list(c.values).includes('false'),
        ),
      );
      expect(tls).toBeDefined();
      expect(tls.effect).toBe('Deny');
      expect(list(tls.actions)).toEqual(['s3:*']);
      expect(one(tls.principals)).toEqual({ type: '*', identifiers: ['*'] });
      expect(list(tls.resources)).toEqual([`\${aws_s3_bucket.${name}.arn}`, `\${aws_s3_bucket.${name}.arn}/*`]);
    }
  });

  it('aborts incomplete multipart uploads after one day, bucket-wide', async () => {
    for (const { m, name } of await buckets()) {
      const rules = list(forBucket(m, 'aws_s3_bucket_lifecycle_configuration', name).rule);
      const abort = rules.find((r) => r.abort_incomplete_multipart_upload);
      expect(abort).toBeDefined();
      expect(abort.status).toBe('Enabled');
      expect(one(abort.abort_incomplete_multipart_upload).days_after_initiation).toBe(1);
      expect(one(abort.filter)).toEqual({});
    }
  });

  it('never lets destroy empty a bucket by default', async () => {
    for (const { m } of await buckets()) expect(m.variable('force_destroy').default).toBe(false);
  });
});

// The backup bucket's own settings (name, versioning, 30-day expiry, multipart abort) are planned and asserted by
// infra/modules/backup/tests/bucket.tftest.hcl. Here: that production keeps the 30 days, from its wiring.
describe('backup bucket in production', () => {
  it('keeps the 30-day retention under backups/', async () => {
    const prod = await tfModule('envs/prod');
    expect(prod.variable('backup_retention_days').default).toBe(30);
    const backup = prod.named('module').find((b) => b.name === 'backup')!.body;
    expect(backup.retention_days).toBe('${var.backup_retention_days}');
    expect(backup.backup_prefix).toBe('backups/');
  });
});
