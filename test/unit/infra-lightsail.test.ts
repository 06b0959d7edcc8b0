/**
 * One set of values for the API's container and health check: Terraform's bootstrap deployment
 * (infra/modules/lightsail) and the deploy-backend request (src/backend/deployment-request.ts) both take the backend
 * defaults table's values, within the limits of Lightsail's API (ContainerServiceHealthCheckConfig).
 */
import { describe, expect, it } from '@jest/globals';
import { BACKEND_DEFAULTS } from '../../src/backend/defaults.js';
import { buildDeploymentRequest } from '../../src/backend/deployment-request.js';
import { parseImageRef, type ImageRef } from '../../src/backend/image-ref.js';
import { one, tfModule } from './infra-hcl.js';

describe('infra/modules/lightsail and the backend defaults table', () => {
  it("bootstraps with the table's container, port and health check (path, codes and timings)", async () => {
    const m = await tfModule('modules/lightsail');
    const d = m.block('resource', 'aws_lightsail_container_service_deployment_version', 'bootstrap');
    const endpoint = one(d.public_endpoint);
    const check = one(endpoint.health_check);
    expect({
      containerName: m.resolve(endpoint.container_name),
      containerPort: m.resolve(endpoint.container_port),
      path: m.resolve(check.path),
      successCodes: check.success_codes,
      healthyThreshold: check.healthy_threshold,
      unhealthyThreshold: check.unhealthy_threshold,
      timeoutSeconds: check.timeout_seconds,
      intervalSeconds: check.interval_seconds,
    }).toEqual({
      containerName: BACKEND_DEFAULTS['container-name'],
      containerPort: BACKEND_DEFAULTS['container-port'],
      path: BACKEND_DEFAULTS['health-check-path'],
      successCodes: BACKEND_DEFAULTS['health-check-success-codes'],
      ...BACKEND_DEFAULTS['health-check'],
    });
  });

  it('a first deploy requests the same health check as Terraform bootstraps', async () => {
    const m = await tfModule('modules/lightsail');
    const check = one(
      one(m.block('resource', 'aws_lightsail_container_service_deployment_version', 'bootstrap').public_endpoint)
        .health_check,
    );
    const image = parseImageRef(`public.ecr.aws/x/api@sha256:${'c'.repeat(64)}`) as ImageRef;
    const req = buildDeploymentRequest(
      {
        image,
        containerName: BACKEND_DEFAULTS['container-name'],
        containerPort: BACKEND_DEFAULTS['container-port'],
        healthCheckPath: BACKEND_DEFAULTS['health-check-path'],
      },
      undefined,
    );
    expect(req.publicEndpoint?.healthCheck).toEqual({
      path: m.resolve(check.path),
      successCodes: check.success_codes,
      healthyThreshold: check.healthy_threshold,
      unhealthyThreshold: check.unhealthy_threshold,
      timeoutSeconds: check.timeout_seconds,
      intervalSeconds: check.interval_seconds,
    });
  });

  it("keeps the timings within Lightsail's limits (timeout 2-60 s, interval 5-300 s)", () => {
    const { timeoutSeconds, intervalSeconds } = BACKEND_DEFAULTS['health-check'];
    expect(timeoutSeconds).toBeGreaterThanOrEqual(2);
    expect(timeoutSeconds).toBeLessThanOrEqual(60);
    expect(intervalSeconds).toBeGreaterThanOrEqual(5);
    expect(intervalSeconds).toBeLessThanOrEqual(300);
  });
});
