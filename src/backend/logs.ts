import type { LightsailClient } from '@aws-sdk/client-lightsail';
import { getMinutes, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { showContainerLog } from './container-log.js';
import { getContainerName, getRegion, getServiceName } from './deploy-inputs.js';
import { getService, lightsailIn } from './service.js';

/** Prints a container's recent log (input `since-minutes`, default 15), with the environment of every listed deployment redacted. */
export async function backendLogs(
  src: InputSource,
  reporter: Reporter,
  options: { client?: LightsailClient } = {},
): Promise<void> {
  const serviceName = getServiceName(src);
  const containerName = getContainerName(src);
  const minutes = getMinutes(src, 'since-minutes', { default: 15, max: 7 * 24 * 60 });
  const client = options.client ?? lightsailIn(getRegion(src));
  await getService(client, serviceName); // a missing service is named before anything else
  const since = new Date(Date.now() - minutes * 60_000);
  const count = await reporter.group(`Log of ${serviceName}/${containerName} since ${since.toISOString()}`, () =>
    showContainerLog(client, reporter, { serviceName, containerName, since, maxLines: 1000 }),
  );
  reporter.output('lines', count);
}
