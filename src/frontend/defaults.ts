/**
 * The frontend commands' defaults, by input name: the one place they are written. The input parser reads them, the
 * CLI help shows them, and test/unit/action-contract.test.ts checks that actions/deploy-frontend/action.yml declares
 * the same values.
 */
export const FRONTEND_DEFAULTS = {
  prefix: '',
  'distribution-id': '',
  'cache-rules': '',
  'keep-releases': 3,
  /** Days an object of an older release stays after it left the kept releases (open tabs). */
  'keep-days': 7,
  'include-dotfiles': false,
  invalidate: true,
  'wait-for-invalidation': false,
  'dry-run': false,
  concurrency: 16,
  'release-id': '',
  reason: '',
  lock: true,
} as const;
