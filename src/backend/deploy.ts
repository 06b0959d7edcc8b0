import { CreateContainerServiceDeploymentCommand, type LightsailClient } from '@aws-sdk/client-lightsail';
import { describeError, OpsError } from '../core/errors.js';
import { recording, type Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { assertUnlocked } from '../ops/lock.js';
import type { BackendClients } from './clients.js';
import { showContainerLog } from './container-log.js';
import type { BackendDeployInputs as DeployInputs } from './deploy-inputs.js';
import { buildDeploymentRequest, environmentValues, sameAsCurrent } from './deployment-request.js';
import { probeHealth } from './health-probe.js';
import { getService, regionOf, stateLine, urlWithPath } from './service.js';
import { resolveTiming, type Timing } from './timing.js';
import { waitForVersion } from './wait.js';

export interface DeployOptions {
  /** Poll and probe intervals (tests make them short). */
  timing?: Partial<Timing>;
}

/** How far back the log shown on failure reaches, at least. */
const LOG_WINDOW_MS = 15 * 60_000;

/**
 * Deploys an image to a Lightsail container service and proves it healthy: validate inputs, check the service is
 * there and idle, create the deployment (keeping what the inputs do not override), wait for ACTIVE or FAILED,
 * show the container log on failure, then probe the health path on the service URL. When the service already runs
 * exactly this deployment (same image digest, environment, port, health check), no deployment is created: the run
 * says so, outputs skipped=true and probes the running version.
 * Outputs: version, url, state, skipped.
 */
export async function backendDeployJob(
  inputs: DeployInputs,
  clients: BackendClients,
  reporter: Reporter,
  options: DeployOptions = {},
): Promise<BackendDeployResult> {
  const known: Partial<BackendDeployResult> = {};
  await recording(known, () => deploy(inputs, clients, reporter, options, known));
  return known as BackendDeployResult;
}

/** What a backend deploy did: created a version (or skipped), its state and URL. */
export interface BackendDeployResult {
  /** The running deployment already was this one: nothing was created. */
  skipped: boolean;
  version: number;
  state: string;
  url?: string;
}

export const BACKEND_DEPLOY_OUTPUTS: Outputs<BackendDeployResult> = {
  skipped: (r) => (r.skipped === undefined ? undefined : String(r.skipped)),
  version: (r) => (r.version === undefined ? undefined : String(r.version)),
  url: (r) => r.url || undefined,
  state: (r) => r.state,
};

/** The deploy; `known` collects the outputs as they become known (a failed deploy still reports them). */
async function deploy(
  inputs: DeployInputs,
  clients: BackendClients,
  reporter: Reporter,
  options: DeployOptions,
  known: Partial<BackendDeployResult>,
): Promise<void> {
  await assertUnlocked(inputs.lockBucket, reporter, { s3: clients.s3 }); // after a rollback (src/ops/lock.ts)
  const timing = resolveTiming(options.timing);
  const client = clients.lightsail;
  const region = await regionOf(client);

  const service = await reporter.group(`Checking container service '${inputs.serviceName}' in ${region}`, async () => {
    const svc = await getService(client, inputs.serviceName);
    reporter.info(
      `state ${stateLine(svc)}; current deployment ${svc.currentDeployment?.version ?? 'none'}; url ${svc.url ?? '(none yet)'}`,
    );
    return svc;
  });
  // Values already deployed are secrets too: they may show up in the container log.
  for (const v of environmentValues(service.currentDeployment)) reporter.secret(v);
  if (service.nextDeployment || service.state === 'DEPLOYING') {
    const v = service.nextDeployment?.version;
    throw new OpsError(
      `another deployment${v ? ` (version ${v})` : ''} is in progress on '${inputs.serviceName}' (state ${stateLine(service)}); wait for it to finish, then deploy again`,
    );
  }
  if (service.isDisabled || service.state === 'DISABLED') {
    throw new OpsError(`container service '${inputs.serviceName}' is disabled; enable it before deploying`);
  }
  if (service.state && !['READY', 'RUNNING'].includes(service.state)) {
    throw new OpsError(
      `container service '${inputs.serviceName}' is ${stateLine(service)}; Lightsail accepts a deployment only when it is READY or RUNNING, try again later`,
    );
  }
  const previous = service.currentDeployment?.version;

  // Deploy by content: a digest-pinned image that already runs with the same settings needs no new deployment.
  const current = service.currentDeployment;
  if (
    current?.state === 'ACTIVE' &&
    !inputs.image.mutable &&
    sameAsCurrent(buildDeploymentRequest(inputs, current), current)
  ) {
    return skipUnchanged(reporter, inputs, current.version ?? 0, service.url ?? '', timing, known);
  }
  known.skipped = false;

  const startedAt = new Date();
  const version = await reporter.group(`Creating deployment of ${inputs.image.text}`, () =>
    createDeployment(client, reporter, inputs, service.currentDeployment),
  );
  known.version = version;
  if (service.url) known.url = service.url;

  const result = await reporter.group(`Waiting for version ${version} (timeout ${inputs.timeoutMinutes} min)`, () =>
    waitForVersion(client, reporter, {
      serviceName: inputs.serviceName,
      version,
      timeoutMs: inputs.timeoutMinutes * 60_000,
      timing,
    }),
  );
  const url = result.service.url ?? service.url ?? '';
  if (url) known.url = url;
  known.state = result.state;

  const keeps =
    previous !== undefined
      ? `the previous deployment (version ${previous}) keeps serving`
      : 'there was no previous deployment, so nothing is serving';
  if (result.timedOut || result.state !== 'ACTIVE') {
    const since = new Date(Math.min(startedAt.getTime() - 60_000, Date.now() - LOG_WINDOW_MS));
    await reporter.group(`Log of container '${inputs.containerName}'`, () =>
      showContainerLog(client, reporter, {
        serviceName: inputs.serviceName,
        containerName: inputs.containerName,
        since,
      }),
    );
    summarize(reporter, inputs, version, result.state, url, result.timedOut ? 'timed out' : 'failed');
    if (result.timedOut) {
      throw new OpsError(
        `deployment version ${version} of '${inputs.serviceName}' was still ${result.state} after ${inputs.timeoutMinutes} min (timeout-minutes); ${keeps} unless Lightsail activates it later`,
      );
    }
    throw new OpsError(
      `deployment version ${version} of '${inputs.serviceName}' FAILED (see the container log above); ${keeps}`,
    );
  }

  await probeServing(reporter, inputs, version, url, timing, '');
}

/** Probes the health path of the serving version; the summary says healthy or unhealthy (with `note`). */
async function probeServing(
  reporter: Reporter,
  inputs: DeployInputs,
  version: number,
  url: string,
  timing: Timing,
  note: string,
): Promise<void> {
  if (!url) throw new OpsError(`version ${version} is ACTIVE but the service has no public URL to probe`);
  const healthUrl = urlWithPath(url, inputs.healthCheckPath);
  try {
    await reporter.group(`Probing ${healthUrl}`, () => probeHealth(healthUrl, timing, reporter));
  } catch (err) {
    summarize(reporter, inputs, version, 'ACTIVE', url, `${note}unhealthy`);
    throw new OpsError(`${describeError(err)}; version ${version} is ACTIVE and already serving traffic`, {
      cause: err,
    });
  }
  summarize(reporter, inputs, version, 'ACTIVE', url, `${note}healthy`);
}

async function createDeployment(
  client: LightsailClient,
  reporter: Reporter,
  inputs: DeployInputs,
  current: Parameters<typeof buildDeploymentRequest>[1],
): Promise<number> {
  const request = buildDeploymentRequest(inputs, current);
  const kept = Object.keys(request.containers ?? {}).filter((n) => n !== inputs.containerName);
  reporter.info(
    `container '${inputs.containerName}': port ${inputs.containerPort}, health check ${inputs.healthCheckPath} (${inputs.healthCheckSuccessCodes}), ` +
      `environment ${inputs.environment ? `${inputs.environment.size} variable(s) (values hidden)` : 'kept from the current deployment'}` +
      (kept.length ? `; other containers kept: ${kept.join(', ')}` : ''),
  );
  let out;
  try {
    out = await client.send(
      new CreateContainerServiceDeploymentCommand({ serviceName: inputs.serviceName, ...request }),
    );
  } catch (err) {
    const msg = describeError(err);
    if (/currently being updated|in progress/i.test(msg)) {
      throw new OpsError(
        `another deployment is in progress on '${inputs.serviceName}' (CreateContainerServiceDeployment: ${msg})`,
        { cause: err },
      );
    }
    throw new OpsError(`CreateContainerServiceDeployment on '${inputs.serviceName}' failed: ${msg}`, { cause: err });
  }
  const version = out.containerService?.nextDeployment?.version;
  if (version === undefined)
    throw new OpsError(
      `CreateContainerServiceDeployment on '${inputs.serviceName}' returned no next deployment version`,
    );
  reporter.info(`created deployment version ${version}`);
  return version;
}

/** The running deployment is what was asked for: create nothing, prove it healthy. */
async function skipUnchanged(
  reporter: Reporter,
  inputs: DeployInputs,
  version: number,
  url: string,
  timing: Timing,
  known: Partial<BackendDeployResult>,
): Promise<void> {
  reporter.info(
    `version ${version} already runs ${inputs.image.text} with the same environment, port and health check: no new deployment created`,
  );
  Object.assign(known, { skipped: true, version, state: 'ACTIVE' }, url ? { url } : {});
  await probeServing(reporter, inputs, version, url, timing, 'unchanged, ');
}

function summarize(
  reporter: Reporter,
  inputs: DeployInputs,
  version: number,
  state: string,
  url: string,
  result: string,
): void {
  const where = `'${inputs.serviceName}' at ${url}`;
  if (result === 'healthy') reporter.result(`Backend deployed: version ${version} of ${where} is ACTIVE and healthy`);
  else if (result.endsWith(', healthy'))
    reporter.result(`Backend unchanged: version ${version} of ${where} keeps serving, healthy`);
  reporter.summary({
    title: `Backend deployment: ${result}`,
    table: [
      ['Service', 'Version', 'State', 'Image', 'URL', 'Health'],
      [
        inputs.serviceName,
        String(version),
        state,
        inputs.image.text.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, '@sha256:$1…'),
        url,
        result.endsWith(' healthy') || result === 'healthy'
          ? `${inputs.healthCheckPath} ${inputs.healthCheckSuccessCodes}`
          : result,
      ],
    ],
  });
}
