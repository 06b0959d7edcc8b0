import { describe, expect, it } from '@jest/globals';
import { list, one, tfModule } from './infra-hcl.js';

const DIR = 'modules/frontend-cloudfront';

async function distribution() {
  const m = await tfModule(DIR);
  return { m, d: m.block('resource', 'aws_cloudfront_distribution', 'this') };
}

/** "${aws_cloudfront_cache_policy.x.id}" or "${data.aws_cloudfront_cache_policy.x.id}" → the block it names. */
function referenced(m: Awaited<ReturnType<typeof tfModule>>, expr: string) {
  const r = /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_]+)\.id\}$/.exec(expr);
  if (!r) throw new Error(`not a plain reference: ${expr}`);
  return m.block(r[1] ? 'data' : 'resource', r[2]!, r[3]!);
}

describe('CloudFront distribution', () => {
  it('uses the ACM certificate with SNI and TLS 1.2 (2021) as the minimum', async () => {
    const { d } = await distribution();
    expect(one(d.viewer_certificate)).toEqual({
      acm_certificate_arn: '${var.acm_certificate_arn}',
      ssl_support_method: 'sni-only',
      minimum_protocol_version: 'TLSv1.2_2021',
    });
    expect(d.aliases).toBe('${var.domain_names}');
  });

  it('speaks HTTP/2 and HTTP/3 over IPv4 and IPv6', async () => {
    const { d } = await distribution();
    expect(d.http_version).toBe('http2and3');
    expect(d.is_ipv6_enabled).toBe(true);
    expect(d.enabled).toBe(true);
  });

  it('serves the SPA from S3 through origin access control, compressed, HTTPS only', async () => {
    const { m, d } = await distribution();
    const def = one(d.default_cache_behavior);
    const s3 = list(d.origin).find((o) => m.resolve(o.origin_id) === m.resolve(def.target_origin_id));
    expect(s3.domain_name).toBe('${module.bucket.bucket_regional_domain_name}');
    expect(s3.origin_access_control_id).toBe('${aws_cloudfront_origin_access_control.spa.id}');
    expect(s3.custom_origin_config).toBeUndefined();
    const oac = m.block('resource', 'aws_cloudfront_origin_access_control', 'spa');
    expect(oac).toMatchObject({
      origin_access_control_origin_type: 's3',
      signing_behavior: 'always',
      signing_protocol: 'sigv4',
    });
    expect(def.compress).toBe(true);
    expect(def.viewer_protocol_policy).toBe('redirect-to-https');
    expect(list(def.allowed_methods).sort()).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });

  it('caches the SPA as the origin Cache-Control says: up to 1 year (assets), 1 day without a header (HTML s-maxage)', async () => {
    const { m, d } = await distribution();
    const policy = referenced(m, one(d.default_cache_behavior).cache_policy_id);
    expect(m.resolve(policy.min_ttl)).toBe(0);
    expect(m.resolve(policy.default_ttl)).toBe(86400);
    expect(m.resolve(policy.max_ttl)).toBe(31536000);
    const key = one(policy.parameters_in_cache_key_and_forwarded_to_origin);
    expect(key.enable_accept_encoding_gzip).toBe(true);
    expect(key.enable_accept_encoding_brotli).toBe(true);
    expect(one(key.cookies_config).cookie_behavior).toBe('none');
    expect(one(key.query_strings_config).query_string_behavior).toBe('none');
  });

  it('routes /api/* to the Lightsail origin over HTTPS, never cached, all viewer headers except Host forwarded', async () => {
    const { m, d } = await distribution();
    const api = list(d.ordered_cache_behavior).filter((b) => m.resolve(b.path_pattern) === '/api/*');
    expect(api).toHaveLength(1);
    const b = api[0]!;
    const origin = list(d.origin).find((o) => m.resolve(o.origin_id) === m.resolve(b.target_origin_id));
    expect(origin.domain_name).toBe('${var.api_origin_domain}');
    expect(one(origin.custom_origin_config)).toMatchObject({
      origin_protocol_policy: 'https-only',
      https_port: 443,
      origin_ssl_protocols: ['TLSv1.2'],
    });
    expect(referenced(m, b.cache_policy_id).name).toBe('Managed-CachingDisabled');
    expect(referenced(m, b.origin_request_policy_id).name).toBe('Managed-AllViewerExceptHostHeader');
    expect(list(b.allowed_methods).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
    expect(b.viewer_protocol_policy).toBe('https-only');
  });

  it('can strip the /api prefix with a CloudFront Function, off by default', async () => {
    const { m } = await distribution();
    expect(m.variable('strip_api_prefix').default).toBe(false);
    const fn = m.block('resource', 'aws_cloudfront_function', 'strip_api_prefix');
    expect(fn.count).toBe('${var.strip_api_prefix ? 1 : 0}');
    expect(fn.runtime).toBe('cloudfront-js-2.0');
    // Where each function runs, and what it does on real paths: infra-edge-functions.test.ts and tests/routing.tftest.hcl.
  });

  it('adds security headers (HSTS >= 1 year, nosniff, frame denial, referrer policy) to SPA and API responses', async () => {
    const { m, d } = await distribution();
    const id = one(d.default_cache_behavior).response_headers_policy_id;
    expect(list(d.ordered_cache_behavior).every((b) => b.response_headers_policy_id === id)).toBe(true);
    const headers = one(referenced(m, id).security_headers_config);
    const hsts = one(headers.strict_transport_security);
    expect(m.resolve(hsts.access_control_max_age_sec)).toBeGreaterThanOrEqual(31536000);
    expect(hsts.override).toBe(true);
    expect(one(headers.content_type_options).override).toBe(true);
    expect(one(headers.frame_options)).toMatchObject({ frame_option: 'DENY', override: true });
    expect(one(headers.referrer_policy)).toMatchObject({
      referrer_policy: 'strict-origin-when-cross-origin',
      override: true,
    });
  });
});

describe('release manifests are not served, missing files are 404', () => {
  it('lets CloudFront (this distribution only) read objects and list the bucket, and denies it the _releases/ prefix', async () => {
    const m = await tfModule(DIR);
    expect(m.variable('releases_prefix').default).toBe('_releases/');
    // The bucket's policy: these statements, merged by the private-bucket module with its TLS-only Deny.
    const bucket = m.named('module').find((b) => b.name === 'bucket')!.body;
    expect(bucket.source).toBe('../private-bucket');
    expect(bucket.policy_documents).toEqual(['${data.aws_iam_policy_document.cloudfront_access.json}']);
    const doc = m.block('data', 'aws_iam_policy_document', 'cloudfront_access');
    const forCloudFront = list(doc.statement).filter((s) =>
      list(s.principals).some((p) => p.type === 'Service' && list(p.identifiers).includes('cloudfront.amazonaws.com')),
    );
    const allow = forCloudFront.filter((s) => (s.effect ?? 'Allow') === 'Allow');
    // GetObject on the objects; ListBucket on the bucket, so S3 answers 404 (not 403) for a missing file and the
    // distribution's 404 page applies. (The document is read at apply time, so a plan cannot show it.)
    expect(allow.map((s) => [list(s.actions), list(s.resources)])).toEqual([
      [
        ['s3:GetObject', 's3:ListBucket'],
        ['${module.bucket.arn}/*', '${module.bucket.arn}'],
      ],
    ]);
    for (const s of allow) {
      expect(one(s.condition)).toMatchObject({
        test: 'StringEquals',
        variable: 'AWS:SourceArn',
        values: ['${aws_cloudfront_distribution.this.arn}'],
      });
    }

    const deny = forCloudFront.filter((s) => s.effect === 'Deny');
    expect(deny).toHaveLength(1);
    expect(list(deny[0].actions)).toEqual(['s3:GetObject']);
    expect(list(deny[0].resources).map((r: string) => m.resolve(r))).toEqual(['${module.bucket.arn}/_releases/*']);
    expect(deny[0].condition).toBeUndefined();
  });

  it('gives the frontend deploy role the whole bucket, manifests included', async () => {
    const m = await tfModule('modules/github-oidc');
    const doc = m.block('data', 'aws_iam_policy_document', 'frontend_deploy');
    const objects = list(doc.statement).find((s) => list(s.resources).includes('${var.frontend_bucket_arn}/*'));
    expect(list(objects.actions)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']));
    const bucket = list(doc.statement).find((s) => list(s.resources).includes('${var.frontend_bucket_arn}'));
    expect(list(bucket.actions)).toContain('s3:ListBucket');
  });
});
