import type {
  Container,
  ContainerServiceDeployment,
  ContainerServiceDeploymentRequest,
  ContainerServiceHealthCheckConfig,
} from '@aws-sdk/client-lightsail';
import { BACKEND_DEFAULTS } from './defaults.js';
import type { BackendDeployInputs as DeployInputs } from './deploy-inputs.js';

/**
 * The health check of a first deployment: the timings of the defaults table (Terraform's bootstrap deployment has
 * the same) and the success codes of the input health-check-success-codes. The success codes are never taken from
 * the running deployment (it may accept 200-499, which would let a broken health path go live).
 */
export const DEFAULT_HEALTH_CHECK: Required<Omit<ContainerServiceHealthCheckConfig, 'path'>> = {
  ...BACKEND_DEFAULTS['health-check'],
  successCodes: BACKEND_DEFAULTS['health-check-success-codes'],
};

/** What Lightsail itself assumes for a health-check field left out (its API reference), to compare deployments. */
const LIGHTSAIL_HEALTH_CHECK = { healthyThreshold: 2, unhealthyThreshold: 2, timeoutSeconds: 2, intervalSeconds: 5 };

type RequestInputs = Pick<
  DeployInputs,
  'image' | 'containerName' | 'containerPort' | 'healthCheckPath' | 'environment'
> &
  Partial<Pick<DeployInputs, 'healthCheckSuccessCodes'>>;

/**
 * The new deployment: the current one with our container's image, environment (when given), port and the public
 * endpoint's health check (path and success codes) replaced. Other containers, the command, other ports and the
 * health-check thresholds of the current deployment are kept.
 */
export function buildDeploymentRequest(
  inputs: RequestInputs,
  current: ContainerServiceDeployment | undefined,
): ContainerServiceDeploymentRequest {
  const containers: Record<string, Container> = {};
  for (const [name, c] of Object.entries(current?.containers ?? {})) containers[name] = copyContainer(c);

  const previousEndpoint = current?.publicEndpoint;
  const ours: Container = containers[inputs.containerName] ?? {};
  const ports = { ...(ours.ports ?? {}) };
  // The old public port of our container goes when the public port moves; other ports stay.
  if (previousEndpoint?.containerName === inputs.containerName && previousEndpoint.containerPort !== undefined) {
    delete ports[String(previousEndpoint.containerPort)];
  }
  ports[String(inputs.containerPort)] = 'HTTP';
  ours.image = inputs.image.text;
  ours.ports = ports;
  if (inputs.environment) ours.environment = Object.fromEntries(inputs.environment);
  containers[inputs.containerName] = ours;

  const healthCheck: ContainerServiceHealthCheckConfig = { ...DEFAULT_HEALTH_CHECK };
  for (const [k, v] of Object.entries(previousEndpoint?.healthCheck ?? {})) {
    if (v !== undefined && v !== null) (healthCheck as Record<string, unknown>)[k] = v;
  }
  healthCheck.path = inputs.healthCheckPath;
  healthCheck.successCodes = inputs.healthCheckSuccessCodes ?? DEFAULT_HEALTH_CHECK.successCodes;

  return {
    containers,
    publicEndpoint: { containerName: inputs.containerName, containerPort: inputs.containerPort, healthCheck },
  };
}

function copyContainer(c: Container): Container {
  const out: Container = {};
  if (c.image !== undefined) out.image = c.image;
  if (c.command) out.command = [...c.command];
  if (c.environment) out.environment = { ...c.environment };
  if (c.ports) out.ports = { ...c.ports };
  return out;
}

/** Every environment value of a deployment's containers (to register as secrets). */
export function environmentValues(d: ContainerServiceDeployment | undefined): string[] {
  return Object.values(d?.containers ?? {}).flatMap((c) => Object.values(c.environment ?? {}));
}

/**
 * True when `request` would deploy exactly what `current` runs: same containers (images compared as given, so a
 * digest-pinned image matches only the same digest), environment, ports, command and public endpoint with its
 * health check (fields Lightsail leaves out count as its defaults).
 */
export function sameAsCurrent(
  request: ContainerServiceDeploymentRequest,
  current: ContainerServiceDeployment | undefined,
): boolean {
  if (!current) return false;
  const running = { containers: current.containers ?? {}, publicEndpoint: current.publicEndpoint };
  return canonical(normalize(request)) === canonical(normalize(running));
}

function normalize(d: {
  containers?: Record<string, Container>;
  publicEndpoint?: { containerName?: string; containerPort?: number; healthCheck?: ContainerServiceHealthCheckConfig };
}) {
  const containers = Object.fromEntries(
    Object.entries(d.containers ?? {}).map(([name, c]) => {
      const copy = copyContainer(c);
      if (copy.environment && Object.keys(copy.environment).length === 0) delete copy.environment;
      if (copy.command?.length === 0) delete copy.command;
      return [name, copy];
    }),
  );
  const endpoint = d.publicEndpoint;
  const healthCheck: Record<string, unknown> = {
    ...LIGHTSAIL_HEALTH_CHECK,
    successCodes: DEFAULT_HEALTH_CHECK.successCodes,
  };
  for (const [k, v] of Object.entries(endpoint?.healthCheck ?? {}))
    if (v !== undefined && v !== null) healthCheck[k] = v;
  return {
    containers,
    publicEndpoint: endpoint
      ? { containerName: endpoint.containerName, containerPort: endpoint.containerPort, healthCheck }
      : null,
  };
}

/** JSON with object keys sorted, so key order does not matter. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : val,
  );
}
