/**
 * The backup commands' defaults, by input name: the one place they are written. The input parser reads them, the
 * CLI help shows them, and test/unit/action-contract.test.ts checks that actions/db-backup/action.yml declares the
 * same values.
 */
export const BACKUP_DEFAULTS = {
  prefix: 'backups',
  environment: 'prod',
  'compression-level': 6,
  'pg-dump-args': '',
  flavor: 'auto',
  verify: true,
  'drill-url': '',
  /** `backup list`: rows to show (0 for all). */
  limit: 20,
  /** `backup prune`: newest backups always kept. */
  keep: 1,
  'dry-run': false,
  /** `backup download`: overwrite an existing file. */
  force: false,
  /** `backup restore` / `test`: do not ask before writing into the target. */
  yes: false,
  /** `backup restore`: restore a backup that has neither a .sha256 nor a .manifest.json. */
  'allow-unverified': false,
  /** `backup restore` / `drill`: first create Supabase's platform roles and schemas in the target. */
  bootstrap: false,
} as const;
