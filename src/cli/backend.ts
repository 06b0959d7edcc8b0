import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import type { InputSource } from '../core/inputs.js';
import { backendLogs } from '../backend/logs.js';
import { backendStatus } from '../backend/status.js';
import { deployBackend } from '../backend/deploy.js';
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
        .option('--environment <KEY=VALUE>', 'environment variable (repeatable; values are treated as secrets; visible in ps: prefer --environment-file for secrets)', collect)
        .option('--environment-file <path>', 'a file of KEY=VALUE lines (# comments; no quotes or export), added to --environment')
        .option('--timeout-minutes <minutes>', 'how long to wait for ACTIVE (default: 15)')
        .addHelpText('after', '\nExample:\n  shisha-ops backend deploy --service-name shisha-api \\\n    --image public.ecr.aws/abc/shisha-api@sha256:<64 hex> --environment DATABASE_URL=postgres://...'),
    (inputs, reporter) => deployBackend(withEnvironmentFile(inputs), reporter),
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

/** The `environment` input with the lines of `--environment-file` added (read when the job runs: errors exit 2). */
function withEnvironmentFile(inputs: InputSource): InputSource {
  const file = inputs('environment-file');
  if (!file) return inputs;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError('environment-file', `cannot read '${file}' (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  return (name) => (name === 'environment' ? [inputs(name) ?? '', text].filter(Boolean).join('\n') : inputs(name));
}
