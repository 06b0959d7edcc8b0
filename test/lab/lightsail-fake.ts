/**
 * A protocol-level stand-in for AWS Lightsail container services: a real HTTP server speaking the Lightsail JSON 1.1
 * API (X-Amz-Target: Lightsail_20161128.<Operation>) to the real @aws-sdk/client-lightsail, with the real deployment
 * state machine. Each service also gets its own HTTP server playing its public endpoint (the service URL), which
 * answers the health-check path once a deployment is ACTIVE, or proxies to an upstream (the demo's real API).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Outcome = 'active' | 'failed' | 'stuck';

/** What a given image does when deployed. */
export interface ImageBehaviour {
  /** ACTIVE after activation, FAILED (previous version keeps serving), or ACTIVATING forever. */
  outcome: Outcome;
  /** Lines the container writes to its log (returned by GetContainerLog). */
  logs?: string[];
  /** HTTP status the container answers on its health path once ACTIVE. */
  healthStatus?: number;
}

interface Container {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: Record<string, string>;
}
interface HealthCheck {
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  timeoutSeconds?: number;
  intervalSeconds?: number;
  path?: string;
  successCodes?: string;
}
interface Endpoint {
  containerName?: string;
  containerPort?: number;
  healthCheck?: HealthCheck;
}
interface Deployment {
  version: number;
  state: 'ACTIVATING' | 'ACTIVE' | 'FAILED' | 'INACTIVE';
  containers: Record<string, Container>;
  publicEndpoint?: Endpoint;
  createdAt: number;
  /** When activation finishes (ms epoch); undefined for 'stuck'. */
  settlesAt?: number;
  outcome: Outcome;
}
interface Service {
  name: string;
  power: string;
  scale: number;
  createdAt: number;
  deployments: Deployment[];
  logs: { createdAt: number; message: string; container: string }[];
  server: http.Server;
  url: string;
  upstream?: string;
  /** Images pushed to (registered with) the service: `:<service>.<label>.<n>`. */
  images: { image: string; digest: string; createdAt: number }[];
}

export interface LightsailFakeOptions {
  /** How long a deployment stays ACTIVATING before it settles (ms). */
  activationMs?: number;
  region?: string;
}

export class LightsailFake {
  private server?: http.Server;
  private readonly services = new Map<string, Service>();
  private readonly images = new Map<string, ImageBehaviour>();
  /** Every API call received: operation name, parsed body and the region it was signed for (for assertions). */
  readonly calls: { operation: string; body: Record<string, unknown>; region: string }[] = [];
  activationMs: number;
  readonly region: string;
  url = '';

  constructor(opts: LightsailFakeOptions = {}) {
    this.activationMs = opts.activationMs ?? 300;
    this.region = opts.region ?? 'us-east-1';
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handleApi(req, res));
    this.url = await listen(this.server);
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.services.values()) await close(s.server);
    this.services.clear();
    if (this.server) await close(this.server);
  }

  /** Declares what an image does when deployed (default: becomes ACTIVE and answers 200). */
  setImage(image: string, behaviour: ImageBehaviour): void {
    this.images.set(image, behaviour);
  }

  /** Creates a container service; optionally with a first deployment already ACTIVE, or proxying to an upstream. */
  async createService(
    name: string,
    opts: { image?: string; upstream?: string; power?: string; scale?: number } = {},
  ): Promise<string> {
    const server = http.createServer((req, res) => void this.handleContainer(name, req, res));
    const url = (await listen(server)) + '/';
    const svc: Service = {
      name,
      power: opts.power ?? 'nano',
      scale: opts.scale ?? 1,
      createdAt: Date.now(),
      deployments: [],
      logs: [],
      server,
      url,
      upstream: opts.upstream,
      images: [],
    };
    this.services.set(name, svc);
    if (opts.image) {
      svc.deployments.push({
        version: 1,
        state: 'ACTIVE',
        containers: { api: { image: opts.image, ports: { '8080': 'HTTP' }, environment: {} } },
        publicEndpoint: {
          containerName: 'api',
          containerPort: 8080,
          healthCheck: { path: '/health', successCodes: '200-499' },
        },
        createdAt: Date.now(),
        outcome: 'active',
      });
    }
    return url;
  }

  /** Registers an image with the service as `aws lightsail push-container-image` does; returns `:<service>.<label>.<n>`. */
  registerImage(service: string, label: string, digest = `sha256:${'0'.repeat(64)}`): string {
    const svc = this.mustService(service);
    const n = svc.images.filter((i) => i.image.startsWith(`:${service}.${label}.`)).length + 1;
    const image = `:${service}.${label}.${n}`;
    svc.images.push({ image, digest, createdAt: Date.now() });
    return image;
  }

  /** The deployments of a service, oldest first, with their states settled to now. */
  deployments(name: string): Deployment[] {
    const svc = this.mustService(name);
    this.settle(svc);
    return svc.deployments;
  }

  // ---- state machine -------------------------------------------------------------------------------------------

  private settle(svc: Service): void {
    const now = Date.now();
    for (const d of svc.deployments) {
      if (d.state !== 'ACTIVATING' || d.settlesAt === undefined || now < d.settlesAt) continue;
      const image = Object.values(d.containers)[0]?.image ?? '';
      const behaviour = this.behaviourOf(image);
      const container = d.publicEndpoint?.containerName ?? Object.keys(d.containers)[0] ?? 'api';
      const log = (message: string, at = d.settlesAt ?? Date.now()) =>
        svc.logs.push({ createdAt: at, message, container });
      log(`[deployment:${d.version}] Creating your deployment`, d.createdAt);
      log(`[deployment:${d.version}] Started 1 new node`, d.createdAt + 1);
      for (const line of behaviour.logs ?? []) log(line);
      if (d.outcome === 'active') {
        for (const other of svc.deployments) if (other.state === 'ACTIVE') other.state = 'INACTIVE';
        d.state = 'ACTIVE';
        log(`[deployment:${d.version}] Reached a steady state`);
      } else {
        d.state = 'FAILED';
        log(
          `[deployment:${d.version}] Took too long to start: health check on ${d.publicEndpoint?.healthCheck?.path ?? '/'} failed`,
        );
        log(`[deployment:${d.version}] Deployment failed. The previous deployment keeps serving`);
      }
    }
  }

  private behaviourOf(image: string): ImageBehaviour {
    return this.images.get(image) ?? { outcome: 'active', healthStatus: 200 };
  }

  private current(svc: Service): Deployment | undefined {
    return [...svc.deployments].reverse().find((d) => d.state === 'ACTIVE');
  }

  private next(svc: Service): Deployment | undefined {
    return svc.deployments.find((d) => d.state === 'ACTIVATING');
  }

  private mustService(name: string): Service {
    const svc = this.services.get(name);
    if (!svc) throw new ApiError(404, 'NotFoundException', `The container service (${name}) does not exist.`);
    return svc;
  }

  private view(d: Deployment | undefined): Record<string, unknown> | undefined {
    if (!d) return undefined;
    return {
      version: d.version,
      state: d.state,
      containers: d.containers,
      publicEndpoint: d.publicEndpoint,
      createdAt: d.createdAt / 1000,
    };
  }

  private serviceView(svc: Service): Record<string, unknown> {
    this.settle(svc);
    const next = this.next(svc);
    const current = this.current(svc);
    return {
      containerServiceName: svc.name,
      arn: `arn:aws:lightsail:${this.region}:123456789012:ContainerService/${svc.name}`,
      createdAt: svc.createdAt / 1000,
      location: { availabilityZone: 'all', regionName: this.region },
      resourceType: 'ContainerService',
      power: svc.power,
      powerId: `${svc.power}-1`,
      state: next ? 'DEPLOYING' : current ? 'RUNNING' : 'READY',
      stateDetail: next ? { code: 'ACTIVATING_DEPLOYMENT' } : {},
      scale: svc.scale,
      currentDeployment: this.view(current),
      nextDeployment: this.view(next),
      isDisabled: false,
      principalArn: '',
      privateDomainName: `${svc.name}.service.local`,
      publicDomainNames: {},
      url: svc.url,
    };
  }

  // ---- API -----------------------------------------------------------------------------------------------------

  private async handleApi(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^Lightsail_20161128\./, '');
    let input: Record<string, unknown> = {};
    try {
      input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      if (!target.startsWith('Lightsail_20161128.'))
        throw new ApiError(400, 'UnknownOperationException', `unknown target '${target}'`);
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
        throw new ApiError(403, 'AccessDeniedException', 'request is not signed');
      }
      // The region is the SigV4 credential scope's: Credential=<key>/<date>/<region>/lightsail/aws4_request.
      const region = /Credential=[^/]+\/[0-9]+\/([^/]+)\//.exec(String(req.headers.authorization))?.[1] ?? '';
      this.calls.push({ operation, body: input, region });
      // Like Lightsail, the services exist in one region: asked in another, there are none.
      if (region !== this.region) {
        if (operation === 'GetContainerServices' && !input.serviceName)
          return send(res, 200, { containerServices: [] });
        throw new ApiError(
          400,
          'NotFoundException',
          `no container service in ${region} (this fake serves ${this.region})`,
        );
      }
      const out = this.dispatch(operation, input);
      send(res, 200, out);
    } catch (err) {
      if (err instanceof ApiError) send(res, err.status, { __type: err.type, message: err.message });
      else send(res, 500, { __type: 'ServiceException', message: String(err) });
    }
  }

  private dispatch(op: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (op) {
      case 'GetContainerServices': {
        const name = input.serviceName as string | undefined;
        if (name) return { containerServices: [this.serviceView(this.mustService(name))] };
        return { containerServices: [...this.services.values()].map((s) => this.serviceView(s)) };
      }
      case 'GetContainerServiceDeployments': {
        const svc = this.mustService(String(input.serviceName ?? ''));
        this.settle(svc);
        return { deployments: [...svc.deployments].reverse().map((d) => this.view(d)) };
      }
      case 'CreateContainerServiceDeployment':
        return this.createDeployment(input);
      case 'GetContainerImages': {
        const svc = this.mustService(this.required(input, 'serviceName'));
        // Newest first; images from public registries are not registered, so never listed.
        return {
          containerImages: [...svc.images]
            .reverse()
            .map((i) => ({ image: i.image, digest: i.digest, createdAt: i.createdAt / 1000 })),
        };
      }
      case 'DeleteContainerImage': {
        const svc = this.mustService(this.required(input, 'serviceName'));
        const image = this.required(input, 'image');
        const idx = svc.images.findIndex((i) => i.image === image);
        if (idx < 0) throw new ApiError(404, 'NotFoundException', `The container image (${image}) does not exist.`);
        svc.images.splice(idx, 1);
        return {};
      }
      case 'GetContainerLog': {
        const svc = this.mustService(String(input.serviceName ?? ''));
        this.settle(svc);
        const container = String(input.containerName ?? '');
        if (!container) throw new ApiError(400, 'InvalidInputException', 'containerName is required');
        const start = typeof input.startTime === 'number' ? input.startTime * 1000 : 0;
        const events = svc.logs
          .filter((l) => l.container === container && l.createdAt >= start)
          .map((l) => ({ createdAt: l.createdAt / 1000, message: l.message }));
        return { logEvents: events };
      }
      default:
        throw new ApiError(400, 'UnknownOperationException', `operation ${op} is not supported by the Lightsail fake`);
    }
  }

  /** A member the botocore model marks required: InvalidInputException when missing, as the service answers. */
  private required(input: Record<string, unknown>, name: string): string {
    const v = input[name];
    if (typeof v !== 'string' || !v) throw new ApiError(400, 'InvalidInputException', `${name} is required`);
    return v;
  }

  private createDeployment(input: Record<string, unknown>): Record<string, unknown> {
    const svc = this.mustService(String(input.serviceName ?? ''));
    this.settle(svc);
    if (this.next(svc)) {
      throw new ApiError(
        400,
        'InvalidInputException',
        `Your container service ${svc.name} is currently being updated. Try again after the update is complete.`,
      );
    }
    const containers = (input.containers ?? {}) as Record<string, Container>;
    const endpoint = input.publicEndpoint as Endpoint | undefined;
    const names = Object.keys(containers);
    if (names.length === 0) throw new ApiError(400, 'InvalidInputException', 'At least one container is required.');
    for (const [n, c] of Object.entries(containers)) {
      if (!c.image) throw new ApiError(400, 'InvalidInputException', `Container ${n} must have an image.`);
      if (c.image.startsWith(':') && !svc.images.some((i) => i.image === c.image)) {
        throw new ApiError(
          400,
          'InvalidInputException',
          `The container image ${c.image} is not registered to the container service ${svc.name}.`,
        );
      }
    }
    if (endpoint && (endpoint.containerName === undefined || endpoint.containerPort === undefined)) {
      throw new ApiError(400, 'InvalidInputException', 'publicEndpoint needs containerName and containerPort.');
    }
    if (endpoint) {
      const c = containers[endpoint.containerName ?? ''];
      if (!c)
        throw new ApiError(
          400,
          'InvalidInputException',
          `The public endpoint container ${endpoint.containerName} is not in the deployment.`,
        );
      if (!c.ports?.[String(endpoint.containerPort)]) {
        throw new ApiError(
          400,
          'InvalidInputException',
          `Port ${endpoint.containerPort} is not open on container ${endpoint.containerName}.`,
        );
      }
    }
    const image = Object.values(containers)[0]?.image ?? '';
    const behaviour = this.behaviourOf(image);
    const now = Date.now();
    const d: Deployment = {
      version: (svc.deployments.at(-1)?.version ?? 0) + 1,
      state: 'ACTIVATING',
      containers,
      publicEndpoint: endpoint,
      createdAt: now,
      settlesAt: behaviour.outcome === 'stuck' ? undefined : now + this.activationMs,
      outcome: behaviour.outcome,
    };
    svc.deployments.push(d);
    if (behaviour.outcome === 'stuck') {
      // A deployment that never settles still starts its container, which writes its log while Lightsail waits.
      const container = endpoint?.containerName ?? names[0] ?? 'api';
      const log = (message: string, at = now) => svc.logs.push({ createdAt: at, message, container });
      log(`[deployment:${d.version}] Creating your deployment`);
      log(`[deployment:${d.version}] Started 1 new node`, now + 1);
      for (const line of behaviour.logs ?? []) log(line, now + 2);
    }
    return { containerService: this.serviceView(svc) };
  }

  // ---- the service's public endpoint ---------------------------------------------------------------------------

  private async handleContainer(name: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const svc = this.services.get(name);
    if (!svc) return send(res, 404, { message: 'no such service' });
    this.settle(svc);
    const current = this.current(svc);
    if (!current) return send(res, 503, { message: 'no healthy upstream' });
    if (svc.upstream) return proxy(svc.upstream, req, res);
    const image = Object.values(current.containers)[0]?.image ?? '';
    const status = this.behaviourOf(image).healthStatus ?? 200;
    const healthPath = current.publicEndpoint?.healthCheck?.path ?? '/';
    if ((req.url ?? '/').split('?')[0] === healthPath) {
      return send(
        res,
        status,
        { status: status < 300 ? 'ok' : 'unhealthy', version: current.version },
        'application/json',
      );
    }
    send(res, 404, { message: 'not found' });
  }
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/x-amz-json-1.1',
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function proxy(upstream: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const target = new URL(req.url ?? '/', upstream);
  const p = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  p.on('error', () => send(res, 502, { message: 'upstream unreachable' }));
  req.pipe(p);
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
