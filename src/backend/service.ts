import { GetContainerServicesCommand, type ContainerService, type LightsailClient } from '@aws-sdk/client-lightsail';
import { describeError, OpsError } from '../core/errors.js';

/** The region the client talks to, for messages. */
export async function regionOf(client: LightsailClient): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    return '(no region: set AWS_REGION)';
  }
}

/** One container service; a clear error when it does not exist in the client's region. */
export async function getService(client: LightsailClient, serviceName: string): Promise<ContainerService> {
  let found: ContainerService | undefined;
  try {
    const out = await client.send(new GetContainerServicesCommand({ serviceName }));
    found = out.containerServices?.find((s) => s.containerServiceName === serviceName) ?? out.containerServices?.[0];
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFoundException') throw notFound(serviceName, await regionOf(client));
    throw new OpsError(`GetContainerServices for '${serviceName}' failed: ${describeError(err)}`, { cause: err });
  }
  if (!found) throw notFound(serviceName, await regionOf(client));
  return found;
}

function notFound(serviceName: string, region: string): OpsError {
  return new OpsError(
    `Lightsail container service '${serviceName}' not found in region ${region} (check service-name and AWS_REGION)`,
  );
}

/** `DEPLOYING (ACTIVATING_DEPLOYMENT)`: the service state with its sub-state. */
export function stateLine(svc: ContainerService): string {
  const code = svc.stateDetail?.code;
  return `${svc.state ?? 'UNKNOWN'}${code ? ` (${code})` : ''}`;
}

/** The service URL joined with a path: `https://x.amazonlightsail.com/` + `/health`. */
export function urlWithPath(url: string, path: string): string {
  return url.replace(/\/+$/, '') + path;
}
