/**
 * A small HTTP proxy in front of moto_server that injects S3 faults on chosen requests, for fault tests:
 * `500` InternalError, `503` SlowDown, `403` AccessDenied, or `reset` (the connection is dropped mid-request).
 * It can also place buckets in regions (`inBucketRegion`): like S3, a request signed for another region gets
 * `301 PermanentRedirect` with `x-amz-bucket-region` (moto itself ignores regions).
 * It can rewrite answers too (`rewrite`), to make moto answer as the real service does.
 * Point AWS_ENDPOINT_URL_S3 (or another service's endpoint variable) at `proxy.url`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = '500' | '503' | '403' | 'reset';

export interface FaultRule {
  /** e.g. `PUT` */
  method?: string;
  /** Matched against the decoded request path (`/bucket/key`); a string matches as a substring. */
  path?: string | RegExp;
  fault: Fault;
  /** How many matching requests get the fault (default: all). */
  times?: number;
}

/** Rewrites the body of matching answers from upstream (status and other headers stay). */
export interface RewriteRule {
  method?: string;
  path?: string | RegExp;
  /** How many matching answers are rewritten (default: all). */
  times?: number;
  body: (text: string) => string;
}

export interface SeenRequest {
  method: string;
  path: string;
  fault?: Fault;
}

const BODIES: Record<Exclude<Fault, 'reset'>, [number, string, string]> = {
  '500': [500, 'InternalError', 'We encountered an internal error. Please try again.'],
  '503': [503, 'SlowDown', 'Please reduce your request rate.'],
  '403': [403, 'AccessDenied', 'Access Denied'],
};

export class FaultProxy {
  private server?: http.Server;
  private rules: (FaultRule & { left: number })[] = [];
  private rewrites: (RewriteRule & { left: number })[] = [];
  private readonly regions = new Map<string, string>();
  readonly seen: SeenRequest[] = [];
  url = '';
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(private readonly target: string) {}

  /** Adds a fault rule (rules are checked in order; the first with faults left applies). */
  inject(rule: FaultRule): this {
    this.rules.push({ ...rule, left: rule.times ?? Infinity });
    return this;
  }

  /** Adds a rewrite rule (checked in order, like the fault rules). */
  rewrite(rule: RewriteRule): this {
    this.rewrites.push({ ...rule, left: rule.times ?? Infinity });
    return this;
  }

  /** Puts `bucket` in `region`: requests signed for another region are answered as S3 does, 301 with the region. */
  inBucketRegion(bucket: string, region: string): this {
    this.regions.set(bucket, region);
    return this;
  }

  clear(): void {
    this.rules = [];
    this.rewrites = [];
    this.seen.length = 0;
  }

  /** Requests that got a fault. */
  get faults(): SeenRequest[] {
    return this.seen.filter((s) => s.fault);
  }

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = http.createServer((req, res) => {
      const path = safeDecode((req.url ?? '/').split('?')[0] ?? '/');
      const rule = this.rules.find(
        (r) => r.left > 0 && (!r.method || r.method === req.method) && matches(r.path, path),
      );
      const seen: SeenRequest = { method: req.method ?? '', path };
      this.seen.push(seen);
      const bucketRegion = this.regions.get(path.split('/')[1] ?? '');
      const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      if (bucketRegion && signedFor !== bucketRegion) {
        req.resume();
        req.on('end', () => {
          res.writeHead(301, {
            'content-type': 'application/xml',
            'x-amz-bucket-region': bucketRegion,
            connection: 'close',
          });
          res.end(
            req.method === 'HEAD'
              ? undefined
              : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><RequestId>region</RequestId></Error>',
          );
        });
        return;
      }
      if (rule) {
        rule.left--;
        seen.fault = rule.fault;
        if (rule.fault === 'reset') {
          req.socket.destroy();
          return;
        }
        const [status, code, message] = BODIES[rule.fault];
        req.resume();
        req.on('end', () => {
          res.writeHead(status, { 'content-type': 'application/xml', connection: 'close' });
          res.end(
            `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault</RequestId></Error>`,
          );
        });
        return;
      }
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: this.agent,
        },
        (ures) => {
          const rewrite = this.rewrites.find(
            (r) => r.left > 0 && (!r.method || r.method === req.method) && matches(r.path, path),
          );
          if (!rewrite) {
            res.writeHead(ures.statusCode ?? 502, ures.headers);
            ures.pipe(res);
            return;
          }
          rewrite.left--;
          const chunks: Buffer[] = [];
          ures.on('data', (c: Buffer) => chunks.push(c));
          ures.on('end', () => {
            const body = Buffer.from(rewrite.body(Buffer.concat(chunks).toString('utf8')));
            res.writeHead(ures.statusCode ?? 502, { ...ures.headers, 'content-length': String(body.length) });
            res.end(body);
          });
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

function matches(p: string | RegExp | undefined, path: string): boolean {
  if (p === undefined) return true;
  return typeof p === 'string' ? path.includes(p) : p.test(path);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
