import type { Command } from 'commander';
import { deployFrontend, planFrontend } from '../frontend/deploy.js';
import { listReleases, rollbackFrontend } from '../frontend/rollback.js';
import { jobCommand } from './common.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

function target(cmd: Command): Command {
  return cmd
    .requiredOption('--bucket <name>', 'the S3 bucket that CloudFront serves')
    .option('--prefix <path>', 'key prefix inside the bucket (default: the bucket root)');
}

function cloudFront(cmd: Command): Command {
  return cmd
    .option('--distribution-id <id>', 'CloudFront distribution to invalidate (none: no invalidation)')
    .option('--invalidate <bool>', 'create an invalidation for changed paths (default true)')
    .option('--wait-for-invalidation <bool>', 'wait until CloudFront completes the invalidation (default false)')
    .option('--concurrency <n>', 'parallel S3 requests (default 16)');
}

function deployFlags(cmd: Command): Command {
  return cloudFront(target(cmd.requiredOption('--source-dir <dir>', 'the build output (holds index.html)')))
    .option('--cache-rules <rule>', "'glob: Cache-Control' rule, repeatable, checked before the defaults (first match wins)", collect)
    .option('--keep-releases <n>', 'releases whose files are kept for open tabs and rollback (default 3)')
    .option('--include-dotfiles <bool>', 'deploy hidden files and folders too (.env, .git/; default false: skipped with a warning)');
}

/** Sub-commands of `shisha-ops frontend`. */
export function registerFrontend(cmd: Command): void {
  jobCommand(cmd, 'deploy', 'Upload what changed (by content), HTML last, then the manifest, invalidation and pruning', (c) => deployFlags(c).option('--dry-run <bool>', 'print the plan only (default false)'), deployFrontend);
  jobCommand(cmd, 'plan', 'Show what a deploy would upload, copy, invalidate (changes nothing)', deployFlags, planFrontend);
  jobCommand(
    cmd,
    'rollback',
    'Make an earlier release live again (default: the previous one) and invalidate',
    (c) => cloudFront(target(c)).option('--release-id <id>', 'the release to restore (see `frontend releases`)').option('--dry-run <bool>', 'print what would be restored only'),
    rollbackFrontend,
  );
  jobCommand(cmd, 'releases', 'List the kept releases, newest first', target, listReleases);
}
