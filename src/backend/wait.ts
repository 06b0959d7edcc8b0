import {
  GetContainerServiceDeploymentsCommand,
  type ContainerService,
  type ContainerServiceDeployment,
  type LightsailClient,
} from '@aws-sdk/client-lightsail';
import { describeError, OpsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { getService, stateLine } from './service.js';
import type { Timing } from './timing.js';

export interface WaitResult {
  /** ACTIVE, FAILED, or the last state seen when the time ran out (ACTIVATING). */
  state: string;
  timedOut: boolean;
  service: ContainerService;
  deployment?: ContainerServiceDeployment;
}

/**
 * Polls until Lightsail reports `version` ACTIVE or FAILED, or until `timeoutMs` has passed. Prints the service
 * state, its sub-state and the deployment's state whenever one of them changes. Waits grow from `pollMs` to
 * `maxPollMs`, never past the deadline.
 */
export async function waitForVersion(
  client: LightsailClient,
  reporter: Reporter,
  opts: { serviceName: string; version: number; timeoutMs: number; timing: Timing },
): Promise<WaitResult> {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  let interval = opts.timing.pollMs;
  let lastLine = '';
  for (;;) {
    const service = await getService(client, opts.serviceName);
    const deployment = await findDeployment(client, opts.serviceName, opts.version, service);
    const state = deployment?.state ?? 'UNKNOWN';
    const line = `service ${stateLine(service)}, version ${opts.version} ${state}`;
    if (line !== lastLine) {
      reporter.info(`[${elapsed(started)}] ${line}`);
      lastLine = line;
    }
    if (state === 'ACTIVE' || state === 'FAILED') return { state, timedOut: false, service, deployment };
    const left = deadline - Date.now();
    if (left <= 0) return { state, timedOut: true, service, deployment };
    await opts.timing.sleep(Math.min(interval, left));
    interval = Math.min(Math.round(interval * 1.5), opts.timing.maxPollMs);
  }
}

/** Our deployment: from the service view when it is current or next, otherwise from the deployment history. */
async function findDeployment(
  client: LightsailClient,
  serviceName: string,
  version: number,
  service: ContainerService,
): Promise<ContainerServiceDeployment | undefined> {
  for (const d of [service.nextDeployment, service.currentDeployment]) if (d?.version === version) return d;
  try {
    const out = await client.send(new GetContainerServiceDeploymentsCommand({ serviceName }));
    return out.deployments?.find((d) => d.version === version);
  } catch (err) {
    throw new OpsError(`GetContainerServiceDeployments for '${serviceName}' failed: ${describeError(err)}`, {
      cause: err,
    });
  }
}

function elapsed(since: number): string {
  const s = Math.round((Date.now() - since) / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
