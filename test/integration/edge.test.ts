/**
 * The local edge answers like the distribution: the real SPA routing function file, the bucket's stored headers,
 * errors with their status, /api/* to the Lightsail service (optionally stripped), the security headers, and a
 * cache that only an invalidation purges.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { cloudFrontClient } from '../../src/core/aws.js';
import { RELEASES_DIR } from '../../src/frontend/releases.js';
import { SECURITY_HEADERS } from '../../src/ops/security-headers.js';
import { Edge, loadCloudFrontFunction } from '../lab/edge.js';
import { LightsailFake } from '../lab/lightsail-fake.js';
import { startExampleApi } from '../lab/spa.js';
import { useLabAws } from '../lab/shared.js';
import { tfModule } from '../unit/infra-hcl.js';
import { baseBuild, listKeys, makeTarget, run, writeBuild, type Target } from './frontend-helpers.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';

/** The API container: echoes the path it received; /fail answers 500, /missing 404. */
function echoApi(): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const status = req.url?.endsWith('/fail') ? 500 : req.url?.endsWith('/missing') ? 404 : 200;
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ path: req.url, status }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

const NOT_FOUND_PAGE = '<!doctype html><title>Not found</title><p>This page does not exist.</p>';

describe('local edge', () => {
  let t: Target;
  let fake: LightsailFake;
  let api: { url: string; server: http.Server };
  let edge: Edge;
  let stripped: Edge;
  let serviceUrl: string;
  const get = (path: string, init?: RequestInit) => fetch(edge.url + path, init);

  beforeAll(async () => {
    useLabAws();
    t = await makeTarget('edge');
    const r = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild({ ...baseBuild(), '404.html': NOT_FOUND_PAGE }),
      bucket: t.bucket,
      'distribution-id': t.distributionId,
    });
    expect(r.code).toBe(0);
    api = await echoApi();
    fake = new LightsailFake({ activationMs: 50 });
    await fake.start();
    serviceUrl = await fake.createService('edge-api', { image: 'public.ecr.aws/x/api:1', upstream: api.url });
    edge = new Edge({ bucket: t.bucket, apiOrigin: serviceUrl, distributionId: t.distributionId });
    stripped = new Edge({ bucket: t.bucket, apiOrigin: serviceUrl, stripApiPrefix: true });
    await edge.start();
    await stripped.start();
  });
  afterAll(async () => {
    await edge?.stop();
    await stripped?.stop();
    await fake?.stop();
    api?.server.close();
  });

  it('serves / and a deep link with index.html and its stored headers, plus the security headers', async () => {
    const root = await get('/');
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(root.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=86400, must-revalidate');
    expect(root.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(root.headers.get(k)).toBe(v);
    const html = await root.text();
    expect(html).toContain('/assets/index-aaa111.js');
    const deep = await get('/sessions/42/edit');
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
  });

  it('serves hashed assets immutable, revalidates with If-None-Match, and answers missing files with the 404 page', async () => {
    const js = await get('/assets/index-aaa111.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log("v1")');
    const again = await get('/assets/index-aaa111.js', { headers: { 'if-none-match': js.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    for (const missing of ['/assets/index-zzz999.js', '/nope.png']) {
      const r = await get(missing);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await r.text()).toBe(NOT_FOUND_PAGE);
    }
  });

  it('uses the 404 page the Terraform configures, for /api/* 404s too (error pages are distribution-wide)', async () => {
    const path = (await tfModule('modules/frontend-cloudfront')).variable('not_found_page_path').default;
    expect(path).toBe('/404.html');
    const missing = await get('/api/v1/missing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await missing.text()).toBe(NOT_FOUND_PAGE);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    // Other API errors keep their body.
    expect(await (await get('/api/v1/fail')).json()).toMatchObject({ status: 500 });
    // Without a page (not_found_page_path = null), S3's own 404 passes through.
    const plain = new Edge({ bucket: t.bucket, notFoundPagePath: null });
    await plain.start();
    try {
      const r = await fetch(`${plain.url}/nope.png`);
      expect(r.status).toBe(404);
      expect(await r.text()).toContain('NoSuchKey');
    } finally {
      await plain.stop();
    }
  });

  it('denies the release manifests as the bucket policy does, and methods the behaviour does not allow', async () => {
    expect(RELEASES_DIR).toBe((await tfModule('modules/frontend-cloudfront')).variable('releases_prefix').default);
    const manifest = (await listKeys(t.bucket)).find((k) => k.startsWith(RELEASES_DIR) && k.endsWith('.json'));
    expect(manifest).toBeDefined();
    expect((await get(`/${manifest}`)).status).toBe(403);
    expect((await get('/', { method: 'POST', body: 'x' })).status).toBe(403);
  });

  it('routes /api/* to the Lightsail service, passing the path (or stripping /api) and errors through', async () => {
    const health = await get('/api/health?x=1');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ path: '/api/health?x=1' });
    expect(health.headers.get('strict-transport-security')).toBe(SECURITY_HEADERS['strict-transport-security']);
    const fail = await get('/api/v1/fail');
    expect(fail.status).toBe(500);
    expect(await fail.json()).toMatchObject({ status: 500 });
    const s = await fetch(`${stripped.url}/api/v1/sessions`);
    expect(await s.json()).toMatchObject({ path: '/v1/sessions' });
  });

  it('answers 502 when the API origin is down', async () => {
    const down = new Edge({ bucket: t.bucket, apiOrigin: 'http://127.0.0.1:9/' });
    await down.start();
    try {
      expect((await fetch(`${down.url}/api/health`)).status).toBe(502);
    } finally {
      await down.stop();
    }
  });

  it('caches index.html until an invalidation covers it, like CloudFront', async () => {
    expect((await get('/')).headers.get('x-cache')).toBe('Hit from cloudfront');
    const v2 = {
      ...baseBuild(),
      'index.html': '<!doctype html><script src="/assets/index-bbb222.js"></script>',
      'assets/index-bbb222.js': 'console.log("v2")',
    };
    const r = await run(FRONTEND_COMMANDS.deploy, {
      'source-dir': writeBuild(v2),
      bucket: t.bucket,
      'distribution-id': t.distributionId,
      invalidate: false,
    });
    expect(r.code).toBe(0);
    expect(await (await get('/')).text()).toContain('index-aaa111.js'); // still the cached copy
    await cloudFrontClient().send(
      new CreateInvalidationCommand({
        DistributionId: t.distributionId,
        InvalidationBatch: { CallerReference: `t-${Date.now()}`, Paths: { Quantity: 1, Items: ['/index.html'] } },
      }),
    );
    const fresh = await get('/deep/link');
    expect(fresh.headers.get('x-cache')).toBe('Miss from cloudfront');
    expect(await fresh.text()).toContain('index-bbb222.js');
  });

  it("answers Range with 206, HEAD with the Content-Length of GET, and OPTIONS with S3's 403 (no CORS on the bucket)", async () => {
    const part = await get('/assets/index-aaa111.js', { headers: { range: 'bytes=0-6' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-6/17');
    expect(await part.text()).toBe('console');
    expect(await (await get('/assets/index-aaa111.js', { headers: { range: 'bytes=-4' } })).text()).toBe('v1")');
    expect((await get('/assets/index-aaa111.js', { headers: { range: 'bytes=100-200' } })).status).toBe(416);
    const whole = await get('/');
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String((await whole.arrayBuffer()).byteLength));
    const options = await get('/', { method: 'OPTIONS' });
    expect(options.status).toBe(403);
    expect(await options.text()).toContain('CORSResponse');
  });

  it('the example API answers HEAD on its routes as GET does, without a body', async () => {
    const example = await startExampleApi('edge-test');
    try {
      const head = await fetch(`${example.url}/api/health`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(Number(head.headers.get('content-length'))).toBe(
        (await (await fetch(`${example.url}/api/health`)).arrayBuffer()).byteLength,
      );
      const post = await fetch(`${example.url}/api/health`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await example.stop();
    }
  });

  it('runs the function files as Terraform would fill them in', () => {
    const strip = loadCloudFrontFunction('strip-api-prefix.js', { prefix: '/api' });
    const event = (uri: string) => ({ request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } });
    expect((strip(event('/api')) as { uri: string }).uri).toBe('/');
    expect((strip(event('/apix/y')) as { uri: string }).uri).toBe('/apix/y');
    expect(() => loadCloudFrontFunction('strip-api-prefix.js')).toThrow(/\$\{prefix\} has no value/);
  });
});
