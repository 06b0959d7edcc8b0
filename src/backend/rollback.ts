import {
  CreateContainerServiceDeploymentCommand,
  GetContainerImagesCommand,
  GetContainerServiceDeploymentsCommand,
  type Container,
  type ContainerServiceDeployment,
  type LightsailClient,
} from '@aws-sdk/client-lightsail';
import { InputError, OpsError, describeError } from '../core/errors.js';
import { getInt, getString, type InputSource } from '../core/inputs.js';
import { recording, type Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { BACKEND_DEFAULTS } from './defaults.js';
import { showContainerLog } from './container-log.js';
import type { BackendClients } from './clients.js';
import { parseBackendServiceInputs, type BackendServiceInputs } from './deploy-inputs.js';
import { environmentValues } from './deployment-request.js';
import { probeHealth } from './health-probe.js';
import { getService, stateLine, urlWithPath } from './service.js';
import { resolveTiming, type Timing } from './timing.js';
import { waitForVersion } from './wait.js';

export interface RollbackOptions {
  timing?: Partial<Timing>;
  /** Called just before the first remote change (the new deployment); refusals before it change nothing. */
  onChange?: () => void;
}

/** Every deployment Lightsail keeps for the service, newest first. */
async function deployments(client: LightsailClient, serviceName: string): Promise<ContainerServiceDeployment[]> {
  try {
    const out = await client.send(new GetContainerServiceDeploymentsCommand({ serviceName }));
    return [...(out.deployments ?? [])].sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
  } catch (err) {
    throw new OpsError(`GetContainerServiceDeployments for '${serviceName}' failed: ${describeError(err)}`, {
      cause: err,
    });
  }
}

export function imagesOf(d: ContainerServiceDeployment | undefined): string {
  return Object.entries(d?.containers ?? {})
    .map(([name, c]) => `${name}=${c.image ?? '?'}`)
    .join(', ');
}

/** `version`: empty or `previous` for the previous version, else a version number. */
function getTargetVersion(src: InputSource): number | undefined {
  const v = getString(src, 'version');
  if (!v || v === 'previous') return undefined;
  return getInt(src, 'version', { default: 0, min: 1 });
}

/** The version to go back to (undefined: the previous one) and how long to wait for it. */
export interface BackendVersionInputs extends BackendServiceInputs {
  version?: number;
  timeoutMinutes: number;
}

/** The inputs of the version rollback itself (`backend rollback` adds the deploy lock's, see ops/rollback.ts). */
export function parseBackendVersionInputs(src: InputSource): BackendVersionInputs {
  const version = getTargetVersion(src);
  const timeoutMinutes = getInt(src, 'timeout-minutes', {
    default: BACKEND_DEFAULTS['timeout-minutes'],
    min: 1,
    max: 120,
  });
  return { ...parseBackendServiceInputs(src), ...(version ? { version } : {}), timeoutMinutes };
}

/** What a deployment runs (containers with image, command, environment, ports; public endpoint), to compare two. */
function contentOf(d: ContainerServiceDeployment): string {
  const sorted = (o: Record<string, unknown> | undefined) =>
    o && Object.keys(o).length
      ? Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)))
      : undefined;
  const containers = Object.entries(d.containers ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => [
      name,
      c.image,
      c.command?.length ? c.command : undefined,
      sorted(c.environment),
      sorted(c.ports),
    ]);
  const e = d.publicEndpoint;
  return JSON.stringify([
    containers,
    e?.containerName ? [e.containerName, e.containerPort, sorted(e.healthCheck as Record<string, unknown>)] : undefined,
  ]);
}

/**
 * The deployments that served, oldest first, as a stack of states: a deployment that runs the same as an earlier one
 * (a rollback, or a redeploy of the same) returns to that state and undoes everything deployed after it. The last
 * entry is the current deployment; the one before it is what "previous" goes back to, so a second rollback goes
 * further back instead of bringing back what the first one undid.
 */
export function servedHistory(
  all: ContainerServiceDeployment[],
  current: ContainerServiceDeployment | undefined,
): ContainerServiceDeployment[] {
  const cur = current?.version ?? Infinity;
  const stack: ContainerServiceDeployment[] = [];
  for (const d of [...all].sort((a, b) => (a.version ?? 0) - (b.version ?? 0))) {
    if ((d.version ?? 0) > cur || (d.state !== 'INACTIVE' && d.state !== 'ACTIVE')) continue;
    const same = stack.findIndex((x) => contentOf(x) === contentOf(d));
    if (same >= 0) stack.length = same;
    stack.push(d);
  }
  return stack;
}

/**
 * The version to go back to: the given one, or the deployment that served before the current one (whole deployments
 * compared, versions a rollback undid skipped: see servedHistory). Refuses what cannot work: the current version,
 * one that FAILED, one Lightsail no longer keeps.
 */
export function pickTarget(
  all: ContainerServiceDeployment[],
  current: ContainerServiceDeployment | undefined,
  wanted: number | undefined,
): ContainerServiceDeployment {
  const kept = all.map((d) => `${d.version} ${d.state}`).join(', ');
  if (wanted !== undefined) {
    const d = all.find((x) => x.version === wanted);
    if (!d)
      throw new InputError(
        'version',
        `version ${wanted} is not among the deployments Lightsail keeps (${kept || 'none'})`,
      );
    if (d.version === current?.version)
      throw new InputError('version', `version ${wanted} is the current deployment already`);
    if (d.state === 'FAILED')
      throw new InputError(
        'version',
        `version ${wanted} FAILED when it was deployed (it never served); pick a version that was ACTIVE`,
      );
    if (d.state === 'ACTIVATING') throw new InputError('version', `version ${wanted} is still ACTIVATING`);
    return d;
  }
  const history = servedHistory(all, current);
  const d = history.at(-2);
  if (!d)
    throw new OpsError(
      `no earlier version served before the current one (${current?.version ?? 'none'}) that a rollback has not undone (kept: ${kept || 'none'})`,
    );
  return d;
}

/**
 * Images pushed to the service (`:<service>.<label>.<n>`) must still be registered. Images from a public registry
 * (ECR Public) cannot be checked here: Lightsail reports the deployment FAILED if the pull fails, and the current
 * version keeps serving.
 */
async function checkImages(
  client: LightsailClient,
  serviceName: string,
  target: ContainerServiceDeployment,
  reporter: Reporter,
): Promise<void> {
  const images = Object.values(target.containers ?? {}).map((c) => c.image ?? '');
  const pushed = images.filter((i) => i.startsWith(':'));
  if (pushed.length) {
    let registered: string[];
    try {
      registered = ((await client.send(new GetContainerImagesCommand({ serviceName }))).containerImages ?? []).map(
        (i) => i.image ?? '',
      );
    } catch (err) {
      throw new OpsError(`GetContainerImages for '${serviceName}' failed: ${describeError(err)}`, { cause: err });
    }
    const gone = pushed.filter((i) => !registered.includes(i));
    if (gone.length) {
      throw new OpsError(
        `cannot roll back to version ${target.version}: its image ${gone.join(', ')} is no longer registered to '${serviceName}' (deleted); nothing was changed`,
      );
    }
  }
  const external = images.filter((i) => !i.startsWith(':'));
  if (external.length)
    reporter.info(
      `registry image(s) ${external.join(', ')}: not checked here; if the registry no longer has them, Lightsail fails the deployment and the current version keeps serving`,
    );
}

function copyContainers(d: ContainerServiceDeployment): Record<string, Container> {
  const out: Record<string, Container> = {};
  for (const [name, c] of Object.entries(d.containers ?? {})) {
    out[name] = {
      image: c.image,
      command: c.command ? [...c.command] : undefined,
      environment: c.environment ? { ...c.environment } : undefined,
      ports: c.ports ? { ...c.ports } : undefined,
    };
  }
  return out;
}

/**
 * `shisha-ops backend rollback [--version N]`: a new deployment with an earlier version's containers (images,
 * environment, ports, command) and public endpoint (health check included); waits for ACTIVE and probes its
 * health. Outputs: version (the new one), rolled-back-to, url, state.
 */
export async function rollbackBackend(
  { serviceName, version: wanted, timeoutMinutes }: BackendVersionInputs,
  clients: BackendClients,
  reporter: Reporter,
  options: RollbackOptions = {},
): Promise<BackendRollbackResult> {
  const timing = resolveTiming(options.timing);
  const client = clients.lightsail;

  const svc = await getService(client, serviceName);
  if (svc.nextDeployment || svc.state === 'DEPLOYING')
    throw new OpsError(
      `a deployment is in progress on '${serviceName}' (${stateLine(svc)}); wait for it, then roll back`,
    );
  const all = await deployments(client, serviceName);
  for (const d of all) for (const v of environmentValues(d)) reporter.secret(v);
  const current = svc.currentDeployment;
  const target = pickTarget(all, current, wanted);
  await checkImages(client, serviceName, target, reporter);
  const endpoint = target.publicEndpoint;
  reporter.info(
    `rolling back '${serviceName}' from version ${current?.version ?? 'none'} (${imagesOf(current)}) to version ${target.version} (${imagesOf(target)})`,
  );

  options.onChange?.();
  let version: number | undefined;
  try {
    const out = await client.send(
      new CreateContainerServiceDeploymentCommand({
        serviceName,
        containers: copyContainers(target),
        publicEndpoint: endpoint?.containerName
          ? {
              containerName: endpoint.containerName,
              containerPort: endpoint.containerPort,
              healthCheck: endpoint.healthCheck,
            }
          : undefined,
      }),
    );
    version = out.containerService?.nextDeployment?.version;
  } catch (err) {
    throw new OpsError(
      `CreateContainerServiceDeployment on '${serviceName}' failed: ${describeError(err)}; nothing was changed`,
      { cause: err },
    );
  }
  if (version === undefined)
    throw new OpsError(`CreateContainerServiceDeployment on '${serviceName}' returned no next deployment version`);
  const known: BackendRollbackResult = { version, rolledBackTo: target.version ?? 0 };
  return recording(known, async () => {
    const startedAt = new Date();
    const result = await reporter.group(
      `Waiting for version ${version} (the containers of version ${target.version})`,
      () =>
        waitForVersion(client, reporter, {
          serviceName,
          version: version!,
          timeoutMs: timeoutMinutes * 60_000,
          timing,
        }),
    );
    const url = result.service.url ?? svc.url ?? '';
    known.state = result.state;
    if (url) known.url = url;
    const summary = (health: string) =>
      reporter.summary({
        title: `Backend rollback: ${health}`,
        table: [
          ['Service', 'Version', 'Containers of', 'State', 'Images', 'Health'],
          [serviceName, String(version), String(target.version), result.state, imagesOf(target), health],
        ],
      });
    if (result.timedOut || result.state !== 'ACTIVE') {
      const container = endpoint?.containerName ?? Object.keys(target.containers ?? {})[0] ?? 'api';
      await reporter.group(`Log of container '${container}'`, () =>
        showContainerLog(client, reporter, {
          serviceName,
          containerName: container,
          since: new Date(startedAt.getTime() - 60_000),
        }),
      );
      summary(result.timedOut ? 'timed out' : 'failed');
      throw new OpsError(
        `rollback deployment version ${version} is ${result.state}${result.timedOut ? ` after ${timeoutMinutes} min` : ''}; version ${current?.version ?? 'none'} keeps serving`,
      );
    }
    if (!url) throw new OpsError(`version ${version} is ACTIVE but the service has no public URL to probe`);
    const healthUrl = urlWithPath(url, endpoint?.healthCheck?.path ?? '/');
    try {
      await reporter.group(`Probing ${healthUrl}`, () => probeHealth(healthUrl, timing, reporter));
    } catch (err) {
      summary('unhealthy');
      throw new OpsError(`${describeError(err)}; rollback version ${version} is ACTIVE and serving`, { cause: err });
    }
    summary('healthy');
    return known;
  });
}

/** What a backend rollback did: the new version, the version whose containers it runs, its state and URL. */
export interface BackendRollbackResult {
  version: number;
  rolledBackTo: number;
  state?: string;
  url?: string;
}

export const BACKEND_ROLLBACK_OUTPUTS: Outputs<BackendRollbackResult> = {
  version: (r) => r.version,
  'rolled-back-to': (r) => r.rolledBackTo,
  state: (r) => r.state,
  url: (r) => r.url,
};

/** `shisha-ops backend releases`: the versions Lightsail keeps, newest first (what `backend rollback` can go back to). */
export async function backendReleasesJob(
  { serviceName }: BackendServiceInputs,
  clients: BackendClients,
  reporter: Reporter,
): Promise<BackendReleasesResult> {
  const client = clients.lightsail;
  const svc = await getService(client, serviceName);
  const all = await deployments(client, serviceName);
  for (const d of all) for (const v of environmentValues(d)) reporter.secret(v);
  const previous = servedHistory(all, svc.currentDeployment).at(-2)?.version;
  const note = (d: ContainerServiceDeployment) =>
    d.version === svc.currentDeployment?.version
      ? 'current'
      : d.version === svc.nextDeployment?.version
        ? 'deploying'
        : d.state === 'FAILED'
          ? 'never served'
          : d.version === previous
            ? 'previous (rollback goes here)'
            : '';
  return {
    stateLine: stateLine(svc),
    deployments: all.map((deployment) => ({ deployment, note: note(deployment) })),
    current: svc.currentDeployment?.version,
  };
}

/** The versions Lightsail keeps (newest first, each with what it is: current, previous, …) and the current one. */
export interface BackendReleasesResult {
  /** The service's state and sub-state, as one line. */
  stateLine: string;
  deployments: { deployment: ContainerServiceDeployment; note: string }[];
  current?: number;
}

export const BACKEND_RELEASES_OUTPUTS: Outputs<BackendReleasesResult> = {
  versions: (r) => r.deployments?.map((d) => d.deployment.version).join(' '),
  current: (r) => r.current,
};

/** `backend releases`' summary: the versions kept, with a note on each. */
export function reportBackendReleases(
  r: BackendReleasesResult,
  { serviceName }: BackendServiceInputs,
  reporter: Reporter,
): void {
  reporter.summary({
    title: `Versions of ${serviceName} (${r.stateLine})`,
    lines: r.deployments.length ? [] : ['no deployments yet'],
    table: r.deployments.length
      ? [
          ['Version', 'State', 'Created', 'Images', 'Note'],
          ...r.deployments.map(({ deployment: d, note }) => [
            String(d.version),
            d.state ?? '?',
            d.createdAt?.toISOString() ?? '',
            imagesOf(d),
            note,
          ]),
        ]
      : undefined,
  });
}
