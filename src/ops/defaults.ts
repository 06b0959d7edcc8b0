import { BACKEND_DEFAULTS } from '../backend/defaults.js';
import { BACKUP_DEFAULTS } from '../backup/defaults.js';
import { FRONTEND_DEFAULTS } from '../frontend/defaults.js';

/**
 * The ops commands' defaults (verify, status, rollback, unlock), by input name: the one place they are written (the
 * inputs they share with a deploy or the backup take that area's value). The input parsers read them, the CLI help
 * shows them, and test/unit/action-contract.test.ts checks that actions/ops/action.yml declares the same values.
 */
export const OPS_DEFAULTS = {
  url: '',
  bucket: '',
  prefix: FRONTEND_DEFAULTS.prefix,
  'distribution-id': FRONTEND_DEFAULTS['distribution-id'],
  'wait-for-invalidation': FRONTEND_DEFAULTS['wait-for-invalidation'],
  'release-id': FRONTEND_DEFAULTS['release-id'],
  /** `verify`: a client-side route that must get the SPA. */
  'deep-link': '/shisha-ops-verify/deep/link',
  'health-path': '/api/health',
  'wait-seconds': 300,
  'service-name': '',
  region: BACKEND_DEFAULTS.region,
  'backup-bucket': '',
  'backup-prefix': BACKUP_DEFAULTS.prefix,
  part: '',
  target: 'previous',
  reason: '',
  'timeout-minutes': BACKEND_DEFAULTS['timeout-minutes'],
} as const;
