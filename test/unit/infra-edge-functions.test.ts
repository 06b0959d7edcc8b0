/**
 * The CloudFront Functions of the frontend-cloudfront module, run as they are (node:vm, a fresh context each, like
 * the cloudfront-js-2.0 runtime's isolated handler), on the paths users request, and routed the way the
 * distribution in main.tf associates them: a request goes to the first ordered behaviour whose path pattern matches,
 * else to the default behaviour, and only that behaviour's viewer-request function sees it.
 *
 * CloudFront passes `request.uri` as the viewer sent it, without the query string: spaces and non-ASCII characters
 * arrive percent-encoded (`/shops/%E6%B8%8B%E8%B0%B7`), so the cases below use that form (and the raw form too).
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { infraRoot, list, one, tfModule, type TfModule } from './infra-hcl.js';
import { loadCloudFrontFunction, type CfRequest } from '../lab/edge.js';

const DIR = 'modules/frontend-cloudfront';
const moduleDir = path.join(infraRoot, DIR);

type Handler = (event: {
  version: string;
  context: { eventType: string };
  viewer: { ip: string };
  request: CfRequest;
}) => CfRequest;

/** Loads a function file as CloudFront would run it, with the local edge's loader (templatefile() placeholders filled). */
function loadHandler(file: string, vars: Record<string, string> = {}): Handler {
  return loadCloudFrontFunction(path.join(moduleDir, file), vars) as Handler;
}

function event(uri: string): Parameters<Handler>[0] {
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '203.0.113.7' },
    request: {
      method: 'GET',
      uri,
      querystring: { v: { value: '1' } },
      headers: { host: { value: 'shisha.toof.jp' } },
      cookies: {},
    },
  };
}

const spa = loadHandler('functions/spa-routing.js');
const strip = loadHandler('functions/strip-api-prefix.js', { prefix: '/api' });

describe('spa-routing.js (viewer-request, default behaviour)', () => {
  it.each([
    ['/', 'the root'],
    ['/shops', 'a deep link'],
    ['/shops/42/reviews', 'a nested route'],
    ['/shops/42/', 'a route with a trailing slash'],
    ['/shops/my%20favourite%20lounge', 'a route with spaces (percent-encoded)'],
    ['/shops/%E6%B8%8B%E8%B0%B7', 'a route with non-ASCII (percent-encoded)'],
    ['/shops/渋谷', 'a route with non-ASCII (raw)'],
    ['/.well-known/', 'a folder'],
  ])('%s (%s) gets the app shell /index.html', (uri) => {
    const out = spa(event(uri));
    expect(out.uri).toBe('/index.html');
    // The rest of the request is kept.
    expect(out.querystring).toEqual({ v: { value: '1' } });
    expect(out.headers.host).toEqual({ value: 'shisha.toof.jp' });
  });

  it.each([
    ['/index.html', 'the shell itself'],
    ['/assets/index-3f9a1c2b.js', 'a hashed asset'],
    ['/assets/index-3f9a1c2b.css', 'a hashed stylesheet'],
    ['/assets/missing-00000000.js', 'a missing asset (S3 answers 404, not HTML)'],
    ['/assets/fonts/noto', 'an asset path without an extension (kept: /assets/ only holds files)'],
    ['/favicon.svg', 'a public file'],
    ['/robots.txt', 'robots.txt'],
    ['/manifest.webmanifest', 'the web manifest'],
    ['/missing.png', 'a missing file'],
    ['/files/menu%20card.pdf', 'a file name with spaces'],
    ['/images/%E5%BA%97.png', 'a file name with non-ASCII'],
    ['/.well-known/security.txt', 'a dot-folder file'],
  ])('%s (%s) is fetched as asked, so it keeps its real status', (uri) => {
    expect(spa(event(uri)).uri).toBe(uri);
  });
});

describe('strip-api-prefix.js (viewer-request, /api/* behaviour, when strip_api_prefix)', () => {
  it.each([
    ['/api/v1/shops', '/v1/shops'],
    ['/api/v1/shops/%E6%B8%8B%E8%B0%B7', '/v1/shops/%E6%B8%8B%E8%B0%B7'],
    ['/api', '/'],
    ['/api/', '/'],
    ['/apiary/x', '/apiary/x'],
  ])('%s reaches the container as %s', (uri, expected) => {
    expect(strip(event(uri)).uri).toBe(expected);
  });
});

/** The behaviours of the distribution as main.tf declares them, with the function file each one runs. */
async function behaviours(stripApiPrefix: boolean) {
  const m = await tfModule(DIR);
  const d = m.block('resource', 'aws_cloudfront_distribution', 'this');
  const fileOf = (expr: string) => functionFile(m, expr);
  const defaults = one(d.default_cache_behavior);
  const ordered = list(d.ordered_cache_behavior).map((b) => {
    const files = list(b.function_association).map((a) => fileOf(a.function_arn));
    // dynamic "function_association" { for_each = aws_cloudfront_function.strip_api_prefix }: present when count = 1.
    for (const dyn of list(b.dynamic?.function_association)) {
      const source = /^\$\{aws_cloudfront_function\.([a-z_]+)\}$/.exec(dyn.for_each)?.[1];
      const fn = m.block('resource', 'aws_cloudfront_function', source!);
      if (fn.count !== '${var.strip_api_prefix ? 1 : 0}') throw new Error(`unexpected count on ${source}`);
      if (stripApiPrefix) files.push(fileOf(`\${aws_cloudfront_function.${source}.arn}`));
    }
    return { pattern: m.resolve(b.path_pattern) as string, files };
  });
  return {
    ordered,
    defaults: list(defaults.function_association).map((a) => fileOf(a.function_arn)),
    hasDynamicOnDefault: Boolean(defaults.dynamic),
  };
}

/** "${aws_cloudfront_function.x.arn}" → the file its code loads. */
function functionFile(m: TfModule, arnExpr: string): string {
  const name = /^\$\{aws_cloudfront_function\.([a-z_]+)\.arn\}$/.exec(arnExpr)?.[1];
  if (!name) throw new Error(`not a function reference: ${arnExpr}`);
  const code = String(m.block('resource', 'aws_cloudfront_function', name).code);
  const file = /(?:file|templatefile)\("\$\{path\.module\}\/([^"]+)"/.exec(code)?.[1];
  if (!file) throw new Error(`function ${name} does not load its code from a file: ${code}`);
  return file;
}

/** CloudFront path patterns: `*` matches any run of characters, `?` one; case-sensitive. */
function matches(pattern: string, uri: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return re.test(uri);
}

async function route(uri: string, stripApiPrefix = false): Promise<{ behaviour: string; uri: string; ran: string[] }> {
  const b = await behaviours(stripApiPrefix);
  const hit = b.ordered.find((o) => matches(o.pattern, uri));
  const files = hit ? hit.files : b.defaults;
  let req = event(uri).request;
  for (const f of files) req = loadHandler(f, { prefix: '/api' })({ ...event(req.uri), request: req });
  return { behaviour: hit ? hit.pattern : 'default', uri: req.uri, ran: files };
}

describe('the distribution routes each path to one behaviour and its function', () => {
  it('associates the SPA function with the default behaviour, loaded with file() (no dynamic block there)', async () => {
    const b = await behaviours(false);
    expect(b.defaults).toEqual(['functions/spa-routing.js']);
    expect(b.hasDynamicOnDefault).toBe(false);
    const m = await tfModule(DIR);
    expect(m.block('resource', 'aws_cloudfront_function', 'spa_routing').code).toBe(
      '${file("${path.module}/functions/spa-routing.js")}',
    );
    expect(m.block('resource', 'aws_cloudfront_function', 'strip_api_prefix').code).toBe(
      '${templatefile("${path.module}/functions/strip-api-prefix.js", { prefix = local.api_prefix })}',
    );
  });

  it.each([['/api/v1/shops/does-not-exist'], ['/api/v1/health'], ['/api/v1/shops/%E6%B8%8B%E8%B0%B7']])(
    '%s goes to the API untouched: the SPA function never sees it, so a 404 stays a 404',
    async (uri) => {
      expect(await route(uri)).toEqual({ behaviour: '/api/*', uri, ran: [] });
    },
  );

  it('with strip_api_prefix, /api/* runs only the strip function', async () => {
    expect(await route('/api/v1/shops', true)).toEqual({
      behaviour: '/api/*',
      uri: '/v1/shops',
      ran: ['functions/strip-api-prefix.js'],
    });
  });

  it.each([
    ['/shops/42', '/index.html'],
    ['/assets/index-3f9a1c2b.js', '/assets/index-3f9a1c2b.js'],
    ['/assets/missing-00000000.js', '/assets/missing-00000000.js'],
  ])('%s goes to S3 through the SPA function as %s', async (uri, expected) => {
    expect(await route(uri)).toEqual({ behaviour: 'default', uri: expected, ran: ['functions/spa-routing.js'] });
  });

  it('maps no error distribution-wide to the app shell, never 403, and 404 only to a 404 page with status 404', async () => {
    const m = await tfModule(DIR);
    const d = m.block('resource', 'aws_cloudfront_distribution', 'this');
    expect(list(d.custom_error_response)).toEqual([]);
    const dyn = one(one(d.dynamic.custom_error_response).content);
    expect(dyn).toMatchObject({
      error_code: 404,
      response_code: 404,
      error_caching_min_ttl: '${var.not_found_caching_seconds}',
    });
    expect(m.resolve(m.variable('not_found_page_path').default)).toBe('/404.html');
    // The error caching TTL is distribution-wide: an /api/* 404 is cached as long. CloudFront's default, 10 s.
    expect(m.resolve(m.variable('not_found_caching_seconds').default)).toBe(10);
  });
});
