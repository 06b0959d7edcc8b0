/**
 * The response headers the distribution's security response-headers policy adds to every response (SPA and API),
 * as infra/modules/frontend-cloudfront sets them with its defaults. One list for `verify` (what it checks) and the
 * local edge (what it adds); test/unit/security-headers.test.ts holds it against the Terraform.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-xss-protection': '1; mode=block',
};

/** HSTS shorter than a year is a finding (the module's validation asks for at least that). */
export const MIN_HSTS_SECONDS = 31536000;

/**
 * What is wrong with a response's security headers, or [] when they are as the distribution sets them. HSTS is
 * checked by meaning (max-age of at least a year), since the module lets its max-age be configured.
 */
export function securityHeaderProblems(get: (name: string) => string | null): string[] {
  const problems: string[] = [];
  for (const [name, want] of Object.entries(SECURITY_HEADERS)) {
    const got = get(name);
    if (got === null) {
      problems.push(`${name} missing`);
    } else if (name === 'strict-transport-security') {
      const age = Number(/max-age=(\d+)/i.exec(got)?.[1] ?? NaN);
      if (!(age >= MIN_HSTS_SECONDS)) problems.push(`${name} '${got}' (max-age under a year)`);
    } else if (got.toLowerCase() !== want.toLowerCase()) {
      problems.push(`${name} '${got}', expected '${want}'`);
    }
  }
  return problems;
}
