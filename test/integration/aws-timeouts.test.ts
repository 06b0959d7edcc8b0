/**
 * Issue #12 item 9: an endpoint that accepts connections and never answers makes every command fail in bounded
 * time, with a message naming the endpoint (a real TCP server, the real CLI, the real SDK clients).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { motoUrl, useLabAws } from '../lab/shared.js';
import { awsEnvFor } from '../lab/index.js';
import { makeTarget, writeBuild } from './frontend-helpers.js';

const root = path.resolve(import.meta.dirname, '..', '..');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin', 'shisha-ops.js'), ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, _out, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? String((err as { signal?: string }).signal)) : 0,
          stderr,
        }),
    );
  });
}

describe('a dead endpoint (accepts connections, never answers)', () => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s); // read nothing, answer nothing
    s.on('close', () => sockets.delete(s));
  });
  let dead = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dead = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  // Short timeouts and two attempts keep the test quick; the defaults are 10 s to connect, 30 s of silence, 5 attempts.
  const quick = { SHISHA_OPS_HTTP_TIMEOUT_SECONDS: '1', AWS_MAX_ATTEMPTS: '2' };

  it('S3: frontend releases fails with exit 1 naming the endpoint', async () => {
    const r = await cli(['frontend', 'releases', '--bucket', 'some-bucket'], {
      ...awsEnvFor({ moto: dead }),
      ...quick,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: HeadBucket some-bucket failed: no answer from ${dead} within 1 s`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('CloudFront: a deploy stops at the distribution check, before any upload', async () => {
    useLabAws();
    const t = await makeTarget('fe-dead-cf');
    const env = { ...awsEnvFor({ moto: motoUrl() }), AWS_ENDPOINT_URL_CLOUDFRONT: dead, ...quick };
    const r = await cli(
      [
        'frontend',
        'deploy',
        '--source-dir',
        writeBuild({ 'index.html': 'x' }),
        '--bucket',
        t.bucket,
        '--distribution-id',
        'E2QWRUHAPOMQZL',
      ],
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no answer from ${dead} within 1 s`);
  });

  it('Lightsail: backend status fails with exit 1 naming the endpoint', async () => {
    const r = await cli(['backend', 'status', '--service-name', 'svc'], {
      ...awsEnvFor({ lightsail: dead }),
      ...quick,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no answer from ${dead} within 1 s`);
  });
});

// Review of #12, finding 8: headers at once, then one byte every 200 ms (never silent for the 1 s silence timeout).
describe('a trickling endpoint (answers, then sends a byte now and then, forever)', () => {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/xml', 'x-amz-bucket-region': 'us-east-1' });
    if (req.method === 'HEAD') return res.end();
    res.write('<');
    const t = setInterval(() => res.write(' '), 200);
    req.socket.on('close', () => clearInterval(t));
  });
  let trickle = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    trickle = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('frontend releases fails with exit 1 naming the endpoint and the deadline (4 × the silence timeout)', async () => {
    const r = await cli(['frontend', 'releases', '--bucket', 'some-bucket'], {
      ...awsEnvFor({ moto: trickle }),
      SHISHA_OPS_HTTP_TIMEOUT_SECONDS: '1',
      AWS_MAX_ATTEMPTS: '2',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no complete answer from ${trickle} within 4 s`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
