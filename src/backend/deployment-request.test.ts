import { describe, expect, it } from '@jest/globals';
import type { ContainerServiceDeployment } from '@aws-sdk/client-lightsail';
import { parseImageRef, type ImageRef } from './image-ref.js';
import { buildDeploymentRequest, DEFAULT_HEALTH_CHECK } from './deployment-request.js';

const image = parseImageRef(`public.ecr.aws/x/api@sha256:${'c'.repeat(64)}`) as ImageRef;
const inputs = { image, containerName: 'api', containerPort: 8080, healthCheckPath: '/health' };

describe('buildDeploymentRequest', () => {
  it('builds a fresh deployment when there is none', () => {
    expect(buildDeploymentRequest({ ...inputs, environment: new Map([['A', '1']]) }, undefined)).toEqual({
      containers: { api: { image: image.text, ports: { '8080': 'HTTP' }, environment: { A: '1' } } },
      publicEndpoint: { containerName: 'api', containerPort: 8080, healthCheck: { ...DEFAULT_HEALTH_CHECK, path: '/health' } },
    });
  });

  it('keeps other containers, the command, other ports, the environment and health-check thresholds', () => {
    const current: ContainerServiceDeployment = {
      version: 4,
      state: 'ACTIVE',
      containers: {
        api: { image: 'old', command: ['node', 'server.js'], environment: { KEEP: 'me' }, ports: { '8080': 'HTTP', '9090': 'TCP' } },
        sidecar: { image: 'public.ecr.aws/x/sidecar:1', ports: { '2000': 'UDP' } },
      },
      publicEndpoint: { containerName: 'api', containerPort: 8080, healthCheck: { healthyThreshold: 5, intervalSeconds: 30, path: '/old', successCodes: '200' } },
    };
    const req = buildDeploymentRequest(inputs, current);
    expect(req.containers).toEqual({
      api: { image: image.text, command: ['node', 'server.js'], environment: { KEEP: 'me' }, ports: { '8080': 'HTTP', '9090': 'TCP' } },
      sidecar: { image: 'public.ecr.aws/x/sidecar:1', ports: { '2000': 'UDP' } },
    });
    expect(req.publicEndpoint?.healthCheck).toEqual({ ...DEFAULT_HEALTH_CHECK, healthyThreshold: 5, intervalSeconds: 30, successCodes: '200', path: '/health' });
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
});
