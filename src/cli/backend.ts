import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import type { InputSource } from '../core/inputs.js';
import { BACKEND_COMMANDS } from '../backend/commands.js';
import { BACKEND_DEFAULTS as D } from '../backend/defaults.js';
import { byDefault, collect, jobCommand, REGION_HELP, required } from './common.js';

/** Sub-commands of `shisha-ops backend`. Defaults live in src/backend (shown here for help only). */
export function registerBackend(cmd: Command): void {
  jobCommand(
    cmd,
    'deploy',
    'Deploy an image to the Lightsail container service, wait until it is ACTIVE and probe its health path',
    (c) =>
      c
        .requiredOption('--service-name <name>', required('Lightsail container service name'))
        .requiredOption('--image <ref>', required('image to deploy, preferably by digest (registry/repo@sha256:...)'))
        .option('--region <region>', REGION_HELP)
        .option('--container-name <name>', byDefault('container name', D['container-name']))
        .option('--container-port <port>', byDefault('container port served over HTTP', D['container-port']))
        .option('--health-check-path <path>', byDefault('health check path', D['health-check-path']))
        .option(
          '--health-check-success-codes <codes>',
          byDefault('HTTP codes counted as healthy', D['health-check-success-codes']),
        )
        .option(
          '--environment <KEY=VALUE>',
          byDefault(
            'environment variable KEY=VALUE, repeatable, every value a secret (visible in ps: prefer --environment-file)',
            "the current deployment's",
          ),
          collect,
        )
        .option(
          '--environment-file <path>',
          byDefault('a file of KEY=VALUE lines (# comments; no quotes or export), added to --environment', 'none'),
        )
        .option('--timeout-minutes <minutes>', byDefault('how long to wait for ACTIVE', D['timeout-minutes']))
        .option(
          '--lock-bucket <name>',
          byDefault('frontend bucket holding the deploy lock a rollback writes (refuse while locked)', 'no lock check'),
        )
        .addHelpText(
          'after',
          '\nExample:\n  shisha-ops backend deploy --service-name my-api \\\n    --image public.ecr.aws/<alias>/my-api@sha256:<64 hex> --environment DATABASE_URL=postgres://...',
        ),
    (inputs, reporter) => BACKEND_COMMANDS.deploy(withEnvironmentFile(inputs), reporter),
  );
  jobCommand(
    cmd,
    'rollback',
    "Deploy an earlier version's containers and public endpoint again (default: the previous version), wait for ACTIVE, probe health",
    (c) =>
      c
        .requiredOption('--service-name <name>', required('Lightsail container service name'))
        .option('--region <region>', REGION_HELP)
        .option('--version <n>', byDefault('the version to go back to (see `backend releases`)', 'the previous one'))
        .option('--timeout-minutes <minutes>', byDefault('how long to wait for ACTIVE', D['timeout-minutes']))
        .option(
          '--lock-bucket <name>',
          byDefault('frontend bucket: lock deploys there until `shisha-ops unlock`', 'no lock'),
        )
        .option('--reason <text>', byDefault('why, recorded in the deploy lock', 'none'))
        .option('--no-lock', 'do not lock deploys after the rollback, even with --lock-bucket'),
    BACKEND_COMMANDS.rollback,
  );
  jobCommand(
    cmd,
    'releases',
    'List the versions Lightsail keeps, newest first (what rollback can go back to)',
    (c) =>
      c
        .requiredOption('--service-name <name>', required('Lightsail container service name'))
        .option('--region <region>', REGION_HELP),
    BACKEND_COMMANDS.releases,
  );
  jobCommand(
    cmd,
    'status',
    'Show the container service state, current and next deployment, and URL',
    (c) =>
      c
        .requiredOption('--service-name <name>', required('Lightsail container service name'))
        .option('--region <region>', REGION_HELP),
    BACKEND_COMMANDS.status,
  );
  jobCommand(
    cmd,
    'logs',
    "Show a container's recent log (environment values redacted)",
    (c) =>
      c
        .requiredOption('--service-name <name>', required('Lightsail container service name'))
        .option('--region <region>', REGION_HELP)
        .option('--container-name <name>', byDefault('container name', D['container-name']))
        .option('--since-minutes <minutes>', byDefault('how far back to read', D['since-minutes'])),
    BACKEND_COMMANDS.logs,
  );
}

/** The `environment` input with the lines of `--environment-file` added (read when the job runs: errors exit 2). */
function withEnvironmentFile(inputs: InputSource): InputSource {
  const file = inputs('environment-file');
  if (!file) return inputs;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(
      'environment-file',
      `cannot read '${file}' (${(err as { code?: string }).code ?? (err as Error).message})`,
    );
  }
  // No quotes (the help says so): a quoted value would be deployed with its quotes. Name the line, never the value.
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^\s*([^#=\s][^=]*)=\s*(["'])[^]*\2\s*$/.exec(line);
    if (m)
      throw new InputError(
        'environment-file',
        `'${file}' line ${i + 1}: the value of ${m[1]?.trim()} is in quotes; write KEY=value without quotes (they would be part of the value)`,
      );
  });
  return (name) => (name === 'environment' ? [inputs(name) ?? '', text].filter(Boolean).join('\n') : inputs(name));
}
