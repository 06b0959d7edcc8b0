import type { Command } from 'commander';
import { unlockJob } from '../ops/lock.js';
import { rollbackJob } from '../ops/rollback.js';
import { statusJob } from '../ops/status.js';
import { verifySite } from '../ops/verify.js';
import { jobCommand } from './common.js';

/** The top-level operations: verify, status, rollback, unlock (the ops action runs the same jobs). */
export function registerOps(program: Command): void {
  jobCommand(
    program,
    'verify',
    'Check the live site after a deploy: /, a deep link, every hashed asset, a missing asset, the API health, headers',
    (c) =>
      c
        .requiredOption('--url <site>', "the site's URL, e.g. https://shisha.toof.jp")
        .option('--bucket <name>', 'the SPA bucket: check that the live index.html and assets are its current release')
        .option('--prefix <path>', 'key prefix inside the bucket')
        .option('--release-id <id>', 'the release expected live (default: the newest in the bucket)')
        .option('--deep-link <path>', 'a client-side route (default /shisha-ops-verify/deep/link)')
        .option('--health-path <path>', "the API's health path through the site (default /api/health)")
        .option('--wait-seconds <n>', 'how long to wait for the invalidation to serve the release (default 300)'),
    (inputs, reporter) => verifySite(inputs, reporter),
  );
  jobCommand(
    program,
    'status',
    'What production runs: SPA release and live index.html, API version/image/state/health, newest backup',
    (c) =>
      c
        .option('--bucket <name>', 'the SPA bucket')
        .option('--prefix <path>', 'key prefix inside the SPA bucket')
        .option('--url <site>', "the site's URL, to compare the live index.html with the release")
        .option('--service-name <name>', 'the Lightsail container service')
        .option('--backup-bucket <name>', 'the backups bucket')
        .option('--backup-prefix <prefix>', 'key prefix of the backups (default backups)'),
    statusJob,
  );
  jobCommand(
    program,
    'rollback',
    'Roll back the SPA, the API or both, then lock deploys until `shisha-ops unlock`',
    (c) =>
      c
        .requiredOption('--part <part>', 'frontend | backend | both')
        .option('--target <target>', "'previous' (default), a release id (frontend) or a version (backend)")
        .option('--bucket <name>', 'the SPA bucket (required: it holds the deploy lock)')
        .option('--prefix <path>', 'key prefix inside the SPA bucket')
        .option('--distribution-id <id>', 'CloudFront distribution to invalidate')
        .option('--wait-for-invalidation <bool>', 'wait until CloudFront completes the invalidation (default false)')
        .option('--service-name <name>', 'the Lightsail container service (backend, both)')
        .option('--timeout-minutes <minutes>', 'how long to wait for ACTIVE (default: 15)')
        .option('--reason <text>', 'why, recorded in the deploy lock'),
    (inputs, reporter) => rollbackJob(inputs, reporter),
  );
  jobCommand(
    program,
    'unlock',
    'Clear the deploy lock a rollback wrote (once the fix is on main)',
    (c) => c.requiredOption('--bucket <name>', 'the SPA bucket, which holds _releases/LOCK'),
    unlockJob,
  );
}
