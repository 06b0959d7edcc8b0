/** The one list of security headers (verify checks them, the local edge adds them) is what the Terraform policy sets. */
import { describe, expect, it } from '@jest/globals';
import { SECURITY_HEADERS, securityHeaderProblems } from '../../src/ops/security-headers.js';
import { one, tfModule } from './infra-hcl.js';

/** The headers CloudFront adds for a security_headers_config, with the module's variable defaults. */
async function headersFromTerraform(): Promise<Record<string, string>> {
  const m = await tfModule('modules/frontend-cloudfront');
  const cfg = one(m.block('resource', 'aws_cloudfront_response_headers_policy', 'security').security_headers_config);
  const out: Record<string, string> = {};
  const hsts = one(cfg.strict_transport_security);
  out['strict-transport-security'] =
    `max-age=${m.resolve(hsts.access_control_max_age_sec)}` +
    (hsts.include_subdomains ? '; includeSubDomains' : '') +
    (hsts.preload ? '; preload' : '');
  if (cfg.content_type_options) out['x-content-type-options'] = 'nosniff';
  if (cfg.frame_options) out['x-frame-options'] = one(cfg.frame_options).frame_option;
  if (cfg.referrer_policy) out['referrer-policy'] = one(cfg.referrer_policy).referrer_policy;
  if (cfg.xss_protection) {
    const x = one(cfg.xss_protection);
    out['x-xss-protection'] = x.protection ? `1${x.mode_block ? '; mode=block' : ''}` : '0';
  }
  return out;
}

describe('security headers', () => {
  it('are exactly those the response-headers policy in infra/ sets (with its defaults)', async () => {
    expect(SECURITY_HEADERS).toEqual(await headersFromTerraform());
  });

  it('a response with them passes; a missing, wrong or short-lived one is named', () => {
    const ok = new Headers(SECURITY_HEADERS as Record<string, string>);
    expect(securityHeaderProblems((n) => ok.get(n))).toEqual([]);
    const bad = new Headers({
      ...SECURITY_HEADERS,
      'strict-transport-security': 'max-age=600',
      'x-frame-options': 'SAMEORIGIN',
    });
    bad.delete('referrer-policy');
    expect(securityHeaderProblems((n) => bad.get(n))).toEqual([
      "strict-transport-security 'max-age=600' (max-age under a year)",
      "x-frame-options 'SAMEORIGIN', expected 'DENY'",
      'referrer-policy missing',
    ]);
  });
});
