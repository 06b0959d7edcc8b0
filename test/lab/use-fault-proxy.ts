import { afterAll, beforeAll } from '@jest/globals';
import { FaultProxy } from './fault-proxy.js';
import { motoUrl } from './shared.js';

/**
 * A FaultProxy in front of moto_server for the tests of the enclosing describe block: its beforeAll (run after the
 * hooks registered before this call, e.g. the one that makes the bucket) starts it and points
 * AWS_ENDPOINT_URL_<service> at it; its afterAll gives the variable back its value and stops the proxy.
 */
export function useFaultProxy(service: 'S3' | 'CLOUDFRONT' = 'S3'): FaultProxy {
  const proxy = new FaultProxy(motoUrl());
  const name = `AWS_ENDPOINT_URL_${service}`;
  let before: string | undefined;
  beforeAll(async () => {
    before = process.env[name];
    process.env[name] = await proxy.start();
  });
  afterAll(async () => {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
    await proxy.stop();
  });
  return proxy;
}
