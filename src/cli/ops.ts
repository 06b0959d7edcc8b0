import type { Command } from 'commander';
import { OPS_COMMANDS } from '../ops/job.js';
import { OPS_DEFAULTS as D } from '../ops/defaults.js';
import { byDefault, jobCommand, REGION_HELP, required } from './common.js';

/** The top-level operations: verify, status, rollback, unlock (the ops action runs the same jobs). */
export function registerOps(program: Command): void {
  jobCommand(
    program,
    'verify',
    'Check the live site after a deploy: /, a deep link, every hashed asset, a missing asset, the API health, headers',
    (c) =>
      c
        .requiredOption('--url <site>', required("the site's URL, e.g. https://www.example.com"))
        .option(
          '--bucket <name>',
          byDefault(
            'the SPA bucket: check that the live index.html and assets are its current release',
            'none; no release check',
          ),
        )
        .option('--prefix <path>', byDefault('key prefix inside the bucket', 'none; the bucket root'))
        .option('--release-id <id>', byDefault('the release expected live', 'the newest in the bucket'))
        .option('--deep-link <path>', byDefault('a client-side route that must get the SPA', D['deep-link']))
        .option('--health-path <path>', byDefault("the API's health path through the site", D['health-path']))
        .option(
          '--wait-seconds <n>',
          byDefault('how long to wait for the invalidation to serve the release, 0-3600', D['wait-seconds']),
        ),
    OPS_COMMANDS.verify,
  );
  jobCommand(
    program,
    'status',
    'What production runs: SPA release and live index.html, API version/image/state/health, newest backup',
    (c) =>
      c
        .option('--bucket <name>', byDefault('the SPA bucket', 'none; no SPA part'))
        .option('--prefix <path>', byDefault('key prefix inside the SPA bucket', 'none; the bucket root'))
        .option(
          '--url <site>',
          byDefault("the site's URL, to compare the live index.html with the release", 'none; no comparison'),
        )
        .option('--service-name <name>', byDefault('the Lightsail container service', 'none; no API part'))
        .option('--region <region>', REGION_HELP)
        .option('--backup-bucket <name>', byDefault('the backups bucket', 'none; no backup part'))
        .option('--backup-prefix <prefix>', byDefault('key prefix of the backups', D['backup-prefix'])),
    OPS_COMMANDS.status,
  );
  jobCommand(
    program,
    'rollback',
    'Roll back the SPA, the API or both, then lock deploys until `shisha-ops unlock`',
    (c) =>
      c
        .requiredOption('--part <part>', required('frontend | backend | both'))
        .option('--target <target>', byDefault('a release id (frontend) or a version (backend)', D.target))
        .requiredOption('--bucket <name>', required('the SPA bucket; it holds the deploy lock'))
        .option('--prefix <path>', byDefault('key prefix inside the SPA bucket', 'none; the bucket root'))
        .option('--distribution-id <id>', byDefault('CloudFront distribution to invalidate', 'none; no invalidation'))
        .option('--wait-for-invalidation', 'wait until CloudFront completes the invalidation')
        .option(
          '--service-name <name>',
          byDefault('the Lightsail container service (required for backend, both)', 'none'),
        )
        .option('--region <region>', REGION_HELP)
        .option('--timeout-minutes <minutes>', byDefault('how long to wait for ACTIVE, 1-120', D['timeout-minutes']))
        .option('--reason <text>', byDefault('why, recorded in the deploy lock', 'none')),
    OPS_COMMANDS.rollback,
  );
  jobCommand(
    program,
    'unlock',
    'Clear the deploy lock a rollback wrote (once the fix is on main)',
    (c) => c.requiredOption('--bucket <name>', required('the SPA bucket, which holds _releases/LOCK')),
    OPS_COMMANDS.unlock,
  );
}
