import type {
  Container,
  ContainerServiceDeployment,
  ContainerServiceDeploymentRequest,
  ContainerServiceHealthCheckConfig,
} from '@aws-sdk/client-lightsail';
import type { DeployInputs } from './deploy-inputs.js';

/** What Lightsail uses when a health check leaves a field out, except the success codes: a health path must say 2xx. */
export const DEFAULT_HEALTH_CHECK: Required<Omit<ContainerServiceHealthCheckConfig, 'path'>> = {
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  timeoutSeconds: 2,
  intervalSeconds: 5,
  successCodes: '200-299',
};

/**
 * The new deployment: the current one with our container's image, environment (when given), port and the public
 * endpoint's health check replaced. Other containers, the command, other ports and the health-check thresholds of
 * the current deployment are kept.
 */
export function buildDeploymentRequest(
  inputs: Pick<DeployInputs, 'image' | 'containerName' | 'containerPort' | 'healthCheckPath' | 'environment'>,
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
