import type { Command } from 'commander';
import { backendLogs } from '../backend/logs.js';
import { backendStatus } from '../backend/status.js';
import { deployBackend } from '../backend/deploy.js';
import { backendReleases } from '../backend/rollback.js';
import { backendRollbackJob } from '../ops/rollback.js';
import { jobCommand } from './common.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Sub-commands of `shisha-ops backend`. Defaults live in src/backend (shown here for help only). */
export function registerBackend(cmd: Command): void {
  jobCommand(
    cmd,
    'deploy',
    'Deploy an image to the Lightsail container service, wait until it is ACTIVE and probe its health path',
    (c) =>
      c
        .requiredOption('--service-name <name>', 'Lightsail container service name')
        .requiredOption('--image <ref>', 'image to deploy, preferably by digest (registry/repo@sha256:...)')
        .option('--container-name <name>', 'container name (default: api)')
        .option('--container-port <port>', 'container port served over HTTP (default: 8080)')
        .option('--health-check-path <path>', 'health check path (default: /health)')
        .option('--environment <KEY=VALUE>', 'environment variable (repeatable; values are treated as secrets)', collect)
        .option('--timeout-minutes <minutes>', 'how long to wait for ACTIVE (default: 15)')
        .option('--lock-bucket <name>', 'frontend bucket holding the deploy lock a rollback writes (refuse while locked)')
        .addHelpText('after', '\nExample:\n  shisha-ops backend deploy --service-name shisha-api \\\n    --image public.ecr.aws/abc/shisha-api@sha256:<64 hex> --environment DATABASE_URL=postgres://...'),
    (inputs, reporter) => deployBackend(inputs, reporter),
  );
  jobCommand(
    cmd,
    'rollback',
    "Deploy an earlier version's containers and public endpoint again (default: the previous version), wait for ACTIVE, probe health",
    (c) =>
      c
        .requiredOption('--service-name <name>', 'Lightsail container service name')
        .option('--version <n>', 'the version to go back to (see `backend releases`; default: previous)')
        .option('--timeout-minutes <minutes>', 'how long to wait for ACTIVE (default: 15)')
        .option('--lock-bucket <name>', 'frontend bucket: lock deploys there until `shisha-ops unlock`')
        .option('--reason <text>', 'why, recorded in the deploy lock')
        .option('--lock <bool>', 'lock deploys when --lock-bucket is given (default true)'),
    (inputs, reporter) => backendRollbackJob(inputs, reporter),
  );
  jobCommand(
    cmd,
    'releases',
    'List the versions Lightsail keeps, newest first (what rollback can go back to)',
    (c) => c.requiredOption('--service-name <name>', 'Lightsail container service name'),
    (inputs, reporter) => backendReleases(inputs, reporter),
  );
  jobCommand(
    cmd,
    'status',
    'Show the container service state, current and next deployment, and URL',
    (c) => c.requiredOption('--service-name <name>', 'Lightsail container service name'),
    (inputs, reporter) => backendStatus(inputs, reporter),
  );
  jobCommand(
    cmd,
    'logs',
    "Show a container's recent log (environment values redacted)",
    (c) =>
      c
        .requiredOption('--service-name <name>', 'Lightsail container service name')
        .option('--container-name <name>', 'container name (default: api)')
        .option('--since-minutes <minutes>', 'how far back to read (default: 15)'),
    (inputs, reporter) => backendLogs(inputs, reporter),
  );
}
