import type { Command } from 'commander';
import { FRONTEND_COMMANDS } from '../frontend/commands.js';
import { FRONTEND_DEFAULTS as D } from '../frontend/defaults.js';
import { byDefault, collect, jobCommand, required } from './common.js';

function target(cmd: Command): Command {
  return cmd
    .requiredOption('--bucket <name>', required('the S3 bucket that CloudFront serves'))
    .option('--prefix <path>', byDefault('key prefix inside the bucket', 'none; the bucket root'));
}

function cloudFront(cmd: Command): Command {
  return cmd
    .option('--distribution-id <id>', byDefault('CloudFront distribution to invalidate', 'none; no invalidation'))
    .option('--no-invalidate', 'do not create an invalidation for the changed paths')
    .option('--wait-for-invalidation', 'wait until CloudFront completes the invalidation')
    .option('--concurrency <n>', byDefault('parallel S3 requests, 1-256', D.concurrency));
}

function deployFlags(cmd: Command): Command {
  return cloudFront(target(cmd.requiredOption('--source-dir <dir>', required('the build output (holds index.html)'))))
    .option(
      '--cache-rules <rule>',
      byDefault(
        "'glob: Cache-Control' rule, repeatable, checked before the defaults (first match wins)",
        'none; the defaults only',
      ),
      collect,
    )
    .option(
      '--keep-releases <n>',
      byDefault('releases whose files are kept for open tabs and rollback, 1-100', D['keep-releases']),
    )
    .option(
      '--keep-days <n>',
      byDefault(
        'days the files of a release stay after it, however many releases follow; 0-365, 0 = off',
        D['keep-days'],
      ),
    )
    .option(
      '--include-dotfiles',
      'deploy hidden files and folders too (.env, .git/; by default they are skipped with a warning)',
    );
}

/** Sub-commands of `shisha-ops frontend`. */
export function registerFrontend(cmd: Command): void {
  jobCommand(
    cmd,
    'deploy',
    'Upload what changed (by content), HTML last, then the manifest, invalidation and pruning',
    (c) => deployFlags(c).option('--dry-run', 'print the plan only; change nothing'),
    FRONTEND_COMMANDS.deploy,
  );
  jobCommand(
    cmd,
    'plan',
    'Show what a deploy would upload, copy, invalidate (changes nothing)',
    deployFlags,
    FRONTEND_COMMANDS.plan,
  );
  jobCommand(
    cmd,
    'rollback',
    'Make an earlier release live again (default: the previous one) and invalidate',
    (c) =>
      cloudFront(target(c))
        .option('--release-id <id>', byDefault('the release to restore (see `frontend releases`)', 'the previous one'))
        .option('--dry-run', 'print what would be restored; change nothing')
        .option('--reason <text>', byDefault('why, recorded in the deploy lock', 'none'))
        .option(
          '--no-lock',
          'do not lock deploys after the rollback (by default they stay locked until `shisha-ops unlock`)',
        ),
    FRONTEND_COMMANDS.rollback,
  );
  jobCommand(cmd, 'releases', 'List the kept releases, newest first', target, FRONTEND_COMMANDS.releases);
}
