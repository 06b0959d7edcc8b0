/**
 * The backend commands' defaults, by input name: the one place they are written. The input parser reads them, the
 * CLI help shows them, and test/unit/action-contract.test.ts checks that actions/deploy-backend/action.yml declares
 * the same values.
 */
export const BACKEND_DEFAULTS = {
  region: '',
  'container-name': 'api',
  'container-port': 8080,
  'health-check-path': '/health',
  'health-check-success-codes': '200-299',
  environment: '',
  'timeout-minutes': 15,
  'lock-bucket': '',
  'since-minutes': 15,
  reason: '',
  lock: true,
  /**
   * The public endpoint's health-check timings of a first deployment, the same in Terraform's bootstrap deployment
   * (infra/modules/lightsail, checked by test/unit/infra-lightsail.test.ts). Lightsail allows a timeout of 2-60 s and
   * an interval of 5-300 s; a deploy keeps the timings the running deployment has.
   */
  'health-check': {
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    timeoutSeconds: 5,
    intervalSeconds: 10,
  },
} as const;
