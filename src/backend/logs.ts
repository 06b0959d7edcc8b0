import { getMinutes, type InputSource } from '../core/inputs.js';
import type { Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { showContainerLog } from './container-log.js';
import { getContainerName, parseBackendServiceInputs, type BackendServiceInputs } from './deploy-inputs.js';
import type { BackendClients } from './clients.js';
import { getService } from './service.js';
import { BACKEND_DEFAULTS } from './defaults.js';

/** Prints a container's recent log (input `since-minutes`), with the environment of every listed deployment redacted. */
export async function backendLogsJob(
  { serviceName, containerName, sinceMinutes: minutes }: BackendLogsInputs,
  clients: BackendClients,
  reporter: Reporter,
): Promise<BackendLogsResult> {
  const client = clients.lightsail;

  await getService(client, serviceName); // a missing service is named before anything else
  const since = new Date(Date.now() - minutes * 60_000);
  const count = await reporter.group(`Log of ${serviceName}/${containerName} since ${since.toISOString()}`, () =>
    showContainerLog(client, reporter, { serviceName, containerName, since, maxLines: 1000 }),
  );
  return { lines: count };
}

/** How many log lines were shown. */
export interface BackendLogsResult {
  lines: number;
}

export const BACKEND_LOGS_OUTPUTS: Outputs<BackendLogsResult> = { lines: (r) => r.lines };

export interface BackendLogsInputs extends BackendServiceInputs {
  containerName: string;
  sinceMinutes: number;
}

export function parseBackendLogsInputs(src: InputSource): BackendLogsInputs {
  return {
    ...parseBackendServiceInputs(src),
    containerName: getContainerName(src),
    sinceMinutes: getMinutes(src, 'since-minutes', { default: BACKEND_DEFAULTS['since-minutes'], max: 7 * 24 * 60 }),
  };
}
