import { describe, expect, it } from '@jest/globals';
import type { ContainerServiceDeployment } from '@aws-sdk/client-lightsail';
import { parseImageRef, type ImageRef } from './image-ref.js';
import { buildDeploymentRequest, DEFAULT_HEALTH_CHECK, sameAsCurrent } from './deployment-request.js';

const image = parseImageRef(`public.ecr.aws/x/api@sha256:${'c'.repeat(64)}`) as ImageRef;
const inputs = { image, containerName: 'api', containerPort: 8080, healthCheckPath: '/health' };

describe('buildDeploymentRequest', () => {
  it('builds a fresh deployment when there is none', () => {
    expect(buildDeploymentRequest({ ...inputs, environment: new Map([['A', '1']]) }, undefined)).toEqual({
      containers: { api: { image: image.text, ports: { '8080': 'HTTP' }, environment: { A: '1' } } },
      publicEndpoint: {
        containerName: 'api',
        containerPort: 8080,
        healthCheck: { ...DEFAULT_HEALTH_CHECK, path: '/health' },
      },
    });
  });

  it('keeps other containers, the command, other ports, the environment and health-check thresholds', () => {
    const current: ContainerServiceDeployment = {
      version: 4,
      state: 'ACTIVE',
      containers: {
        api: {
          image: 'old',
          command: ['node', 'server.js'],
          environment: { KEEP: 'me' },
          ports: { '8080': 'HTTP', '9090': 'TCP' },
        },
        sidecar: { image: 'public.ecr.aws/x/sidecar:1', ports: { '2000': 'UDP' } },
      },
      publicEndpoint: {
        containerName: 'api',
        containerPort: 8080,
        healthCheck: { healthyThreshold: 5, intervalSeconds: 30, path: '/old', successCodes: '200' },
      },
    };
    const req = buildDeploymentRequest(inputs, current);
    expect(req.containers).toEqual({
      api: {
        image: image.text,
        command: ['node', 'server.js'],
        environment: { KEEP: 'me' },
        ports: { '8080': 'HTTP', '9090': 'TCP' },
      },
      sidecar: { image: 'public.ecr.aws/x/sidecar:1', ports: { '2000': 'UDP' } },
    });
    // Thresholds are kept; the success codes are not (see the next test).
    expect(req.publicEndpoint?.healthCheck).toEqual({
      ...DEFAULT_HEALTH_CHECK,
      healthyThreshold: 5,
      intervalSeconds: 30,
      successCodes: '200-299',
      path: '/health',
    });
    // The input did not change the current deployment object.
    expect(current.containers?.api?.image).toBe('old');
  });

  it('replaces the environment when given, and moves the public port', () => {
    const current: ContainerServiceDeployment = {
      containers: { api: { image: 'old', environment: { OLD: 'x' }, ports: { '3000': 'HTTP' } } },
      publicEndpoint: { containerName: 'api', containerPort: 3000 },
    };
    const req = buildDeploymentRequest({ ...inputs, environment: new Map([['NEW', 'y']]) }, current);
    expect(req.containers?.api).toEqual({ image: image.text, environment: { NEW: 'y' }, ports: { '8080': 'HTTP' } });
  });

  it("never keeps the running deployment's success codes: a 200-499 health check would let a broken /health go live", () => {
    const current: ContainerServiceDeployment = {
      containers: { api: { image: 'old', ports: { '8080': 'HTTP' } } },
      publicEndpoint: {
        containerName: 'api',
        containerPort: 8080,
        healthCheck: { path: '/health', successCodes: '200-499' },
      },
    };
    expect(buildDeploymentRequest(inputs, current).publicEndpoint?.healthCheck?.successCodes).toBe('200-299');
    expect(
      buildDeploymentRequest({ ...inputs, healthCheckSuccessCodes: '200,204' }, current).publicEndpoint?.healthCheck
        ?.successCodes,
    ).toBe('200,204');
  });
});

describe('sameAsCurrent', () => {
  const running: ContainerServiceDeployment = {
    version: 7,
    state: 'ACTIVE',
    containers: { api: { image: image.text, environment: { A: '1' }, ports: { '8080': 'HTTP' }, command: [] } },
    // Lightsail reports every health-check field; key order differs from ours.
    publicEndpoint: {
      containerPort: 8080,
      containerName: 'api',
      healthCheck: {
        path: '/health',
        successCodes: '200-299',
        timeoutSeconds: 2,
        intervalSeconds: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
      },
    },
  };

  it('is true for the same digest, environment, port and health check', () => {
    expect(sameAsCurrent(buildDeploymentRequest(inputs, running), running)).toBe(true);
    expect(
      sameAsCurrent(buildDeploymentRequest({ ...inputs, environment: new Map([['A', '1']]) }, running), running),
    ).toBe(true);
  });

  it('is false when the digest, the environment, the port or the health check differ, or nothing runs', () => {
    const other = parseImageRef(`public.ecr.aws/x/api@sha256:${'d'.repeat(64)}`) as ImageRef;
    expect(sameAsCurrent(buildDeploymentRequest({ ...inputs, image: other }, running), running)).toBe(false);
    expect(
      sameAsCurrent(buildDeploymentRequest({ ...inputs, environment: new Map([['A', '2']]) }, running), running),
    ).toBe(false);
    expect(sameAsCurrent(buildDeploymentRequest({ ...inputs, containerPort: 3000 }, running), running)).toBe(false);
    expect(sameAsCurrent(buildDeploymentRequest({ ...inputs, healthCheckPath: '/ready' }, running), running)).toBe(
      false,
    );
    expect(sameAsCurrent(buildDeploymentRequest(inputs, undefined), undefined)).toBe(false);
    const lenient = {
      ...running,
      publicEndpoint: { ...running.publicEndpoint, healthCheck: { path: '/health', successCodes: '200-499' } },
    };
    expect(sameAsCurrent(buildDeploymentRequest(inputs, lenient), lenient)).toBe(false);
  });
});
