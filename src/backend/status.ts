import { GetContainerServiceDeploymentsCommand, type ContainerServiceDeployment } from '@aws-sdk/client-lightsail';
import type { Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import type { BackendClients } from './clients.js';
import type { BackendServiceInputs } from './deploy-inputs.js';
import { environmentValues } from './deployment-request.js';
import { imagesOf } from './rollback.js';
import { getService, regionOf, stateLine } from './service.js';

/**
 * Shows a container service: state and sub-state, current and next deployment (images, public endpoint), URL and
 * the recent deployment history. Outputs: state, version (current), url.
 */
export async function backendStatusJob(
  { serviceName }: BackendServiceInputs,
  clients: BackendClients,
  reporter: Reporter,
): Promise<BackendStatusResult> {
  const client = clients.lightsail;
  const svc = await getService(client, serviceName);
  for (const v of [...environmentValues(svc.currentDeployment), ...environmentValues(svc.nextDeployment)])
    reporter.secret(v);
  reporter.info(
    `service ${serviceName} in ${await regionOf(client)}: ${stateLine(svc)}${svc.isDisabled ? ' (disabled)' : ''}`,
  );
  reporter.info(`power ${svc.power ?? '?'} × ${svc.scale ?? '?'}; url ${svc.url ?? '(none)'}`);
  reporter.info(`current deployment: ${describeDeployment(svc.currentDeployment)}`);
  reporter.info(`next deployment: ${describeDeployment(svc.nextDeployment)}`);

  let history: ContainerServiceDeployment[] = [];
  try {
    history = (await client.send(new GetContainerServiceDeploymentsCommand({ serviceName }))).deployments ?? [];
  } catch {
    /* the history is extra; the service view above is what matters */
  }
  return {
    state: svc.state ?? 'UNKNOWN',
    version: svc.currentDeployment?.version,
    url: svc.url,
    stateLine: stateLine(svc),
    history: history.slice(0, 10),
  };
}

export interface BackendStatusResult {
  state: string;
  /** The current deployment's version, when there is one. */
  version?: number;
  url?: string;
  /** State and sub-state, as one line. */
  stateLine: string;
  /** The ten newest deployments. */
  history: ContainerServiceDeployment[];
}

/** `backend status`'s summary: state, URL and the recent deployments. */
export function reportBackendStatus(
  r: BackendStatusResult,
  { serviceName }: BackendServiceInputs,
  reporter: Reporter,
): void {
  reporter.summary({
    title: `Container service ${serviceName}: ${r.stateLine}`,
    lines: [`url: ${r.url ?? '(none)'}`],
    table: [
      ['Version', 'State', 'Created', 'Images'],
      ...r.history.map((d) => [
        String(d.version ?? '?'),
        d.state ?? '?',
        d.createdAt?.toISOString() ?? '',
        imagesOf(d),
      ]),
    ],
  });
}

/** Outputs: state, version (current), url. */
export const BACKEND_STATUS_OUTPUTS: Outputs<BackendStatusResult> = {
  state: (r) => r.state,
  version: (r) => r.version,
  url: (r) => r.url || undefined,
};

function describeDeployment(d: ContainerServiceDeployment | undefined): string {
  if (!d) return 'none';
  const ep = d.publicEndpoint;
  const endpoint = ep ? `; public ${ep.containerName}:${ep.containerPort} health ${ep.healthCheck?.path ?? '/'}` : '';
  return `version ${d.version} ${d.state ?? ''} (${imagesOf(d)})${endpoint}`;
}
