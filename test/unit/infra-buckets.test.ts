import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { list, loadInfra, one, tfModule, type Json, type TfModule } from './infra-hcl.js';

const PRIVATE_BUCKET = 'modules/private-bucket';

// Every bucket the configuration creates, by module (the private-bucket module is the only one that should).
async function buckets(): Promise<{ m: TfModule; name: string }[]> {
  const out: { m: TfModule; name: string }[] = [];
  for (const m of (await loadInfra()).values()) {
    for (const b of m.blocks('resource', 'aws_s3_bucket')) out.push({ m, name: b.name });
  }
  return out;
}

// Every call of the private-bucket module: the buckets the pipeline has.
async function bucketCalls(): Promise<{ m: TfModule; name: string; body: Json }[]> {
  const out: { m: TfModule; name: string; body: Json }[] = [];
  for (const m of (await loadInfra()).values()) {
    for (const b of m.named('module')) {
      if (join(m.dir, b.body.source) === PRIVATE_BUCKET) out.push({ m, name: b.name, body: b.body });
    }
  }
  return out;
}

/** The resource of `type` that configures bucket `ref` (bucket = ${ref}, e.g. aws_s3_bucket.this.id). */
function forBucket(m: TfModule, type: string, ref: string) {
  const found = m.blocks('resource', type).filter((b) => b.body.bucket === `\${${ref}}`);
  if (found.length !== 1) throw new Error(`${m.dir}: expected one ${type} for ${ref}, found ${found.length}`);
  return found[0]!.body;
}

/**
 * The statements of the aws_iam_policy_document behind the bucket's aws_s3_bucket_policy, with those of the
 * documents it merges (source_policy_documents = [data.aws_iam_policy_document.x.json, ...]).
 */
function bucketPolicyStatements(m: TfModule, ref: string): Json[] {
  const docRef = (expr: string) => /^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_]+)\.json\}$/.exec(expr)?.[1];
  const policy = forBucket(m, 'aws_s3_bucket_policy', ref);
  const name = docRef(policy.policy);
  if (!name) throw new Error(`${m.dir}: bucket policy of ${ref} is not an aws_iam_policy_document`);
  const doc = m.block('data', 'aws_iam_policy_document', name);
  const sources = [
    ...String(doc.source_policy_documents ?? '').matchAll(/data\.aws_iam_policy_document\.([A-Za-z0-9_]+)\.json/g),
  ];
  return [
    ...list(doc.statement),
    ...sources.flatMap(([, source]) => list(m.block('data', 'aws_iam_policy_document', source!).statement)),
  ];
}

// Generic over every bucket: the secure defaults live in the private-bucket module, and every bucket must be made
// by it (a new bucket is checked without a new test), which one plan of one module cannot show.
describe('S3 secure defaults (every bucket)', () => {
  it('makes the SPA and backup buckets with the private-bucket module, and no bucket without it', async () => {
    const calls = (await bucketCalls()).map(({ m, name }) => `${m.dir}:${name}`);
    expect(calls).toEqual(expect.arrayContaining(['modules/frontend-cloudfront:bucket', 'modules/backup:bucket']));
    expect((await buckets()).map(({ m, name }) => `${m.dir}:${name}`)).toEqual([`${PRIVATE_BUCKET}:this`]);
  });

  it('blocks all public access', async () => {
    const m = await tfModule(PRIVATE_BUCKET);
    expect(forBucket(m, 'aws_s3_bucket_public_access_block', 'aws_s3_bucket.this.id')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it('encrypts with SSE-S3 (AES256) and disables ACLs', async () => {
    const m = await tfModule(PRIVATE_BUCKET);
    const sse = forBucket(m, 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket.this.id');
    expect(one(one(sse.rule).apply_server_side_encryption_by_default).sse_algorithm).toBe('AES256');
    const own = forBucket(m, 'aws_s3_bucket_ownership_controls', 'aws_s3_bucket.this.id');
    expect(one(own.rule).object_ownership).toBe('BucketOwnerEnforced');
  });

  it('denies every request that does not use TLS, on the bucket and its objects', async () => {
    const m = await tfModule(PRIVATE_BUCKET);
    const tls = bucketPolicyStatements(m, 'aws_s3_bucket.this.id').find((s) =>
      list(s.condition).some(
        (c) => c.variable === 'aws:SecureTransport' && c.test === 'Bool' && list(c.values).includes('false'),
      ),
    );
    expect(tls).toBeDefined();
    expect(tls.effect).toBe('Deny');
    expect(list(tls.actions)).toEqual(['s3:*']);
    expect(one(tls.principals)).toEqual({ type: '*', identifiers: ['*'] });
    expect(list(tls.resources)).toEqual(['${local.arn}', '${local.arn}/*']);
    expect(m.locals().arn).toBe('arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}');
    expect(m.block('resource', 'aws_s3_bucket', 'this').bucket).toBe('${var.bucket_name}');
  });

  it('aborts incomplete multipart uploads after one day, bucket-wide', async () => {
    for (const { m, name } of await bucketCalls()) {
      const rules = list(forBucket(m, 'aws_s3_bucket_lifecycle_configuration', `module.${name}.id`).rule);
      const abort = rules.find((r) => r.abort_incomplete_multipart_upload);
      expect(abort).toBeDefined();
      expect(abort.status).toBe('Enabled');
      expect(one(abort.abort_incomplete_multipart_upload).days_after_initiation).toBe(1);
      expect(one(abort.filter)).toEqual({});
    }
  });

  it('never lets destroy empty a bucket by default', async () => {
    expect((await tfModule(PRIVATE_BUCKET)).variable('force_destroy').default).toBe(false);
    for (const { m, body } of await bucketCalls()) {
      expect(m.variable('force_destroy').default).toBe(false);
      expect(body.force_destroy).toBe('${var.force_destroy}');
    }
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
