import { runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import { createInvalidation } from '../frontend/invalidation.js';
import { isTransient, withRetry } from './retry.js';

const err = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('retries', () => {
  it('knows transient errors', () => {
    expect(isTransient(err('InternalError', 500))).toBe(true);
    expect(isTransient(err('SlowDown', 503))).toBe(true);
    expect(isTransient(err('BadGateway', 502))).toBe(true);
    expect(isTransient(err('GatewayTimeout', 504))).toBe(true);
    // As the SDK: a 501 (a header or feature the service does not implement) is not retried.
    expect(isTransient(err('NotImplemented', 501))).toBe(false);
    expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(err('AccessDenied', 403))).toBe(false);
    expect(isTransient(err('NoSuchBucket', 404))).toBe(false);
  });

  it('retries transient failures and gives up after the attempts', async () => {
    let n = 0;
    await expect(
      withRetry(async () => (++n < 3 ? Promise.reject(err('SlowDown', 503)) : 'ok'), { baseMs: 1 }),
    ).resolves.toBe('ok');
    n = 0;
    await expect(
      withRetry(async () => (++n, Promise.reject(err('SlowDown', 503))), { baseMs: 1, attempts: 4 }),
    ).rejects.toThrow('SlowDown');
    expect(n).toBe(4);
    n = 0;
    await expect(withRetry(async () => (++n, Promise.reject(err('AccessDenied', 403))), { baseMs: 1 })).rejects.toThrow(
      'AccessDenied',
    );
    expect(n).toBe(1);
  });

  it('retries an error made in another realm (a socket error seen from a VM context) and throws it by its message', async () => {
    const foreign = () => runInNewContext('Object.assign(new Error("write ECONNRESET"), { code: "ECONNRESET" })');
    expect(foreign() instanceof Error).toBe(false);
    let n = 0;
    await expect(withRetry(async () => (++n < 3 ? Promise.reject(foreign()) : 'ok'), { baseMs: 1 })).resolves.toBe(
      'ok',
    );
    n = 0;
    const last = withRetry(() => (++n, Promise.reject(foreign())), { baseMs: 1, attempts: 2 });
    await expect(last).rejects.toMatchObject({ message: 'write ECONNRESET', code: 'ECONNRESET' });
    expect(n).toBe(2);
  });

  it('CreateInvalidation waits out TooManyInvalidationsInProgress', async () => {
    let calls = 0;
    const retries: number[] = [];
    const cf = {
      send: async () => {
        calls++;
        if (calls < 3) throw err('TooManyInvalidationsInProgress', 400);
        return { Invalidation: { Id: 'I123' } };
      },
    } as unknown as Parameters<typeof createInvalidation>[0];
    await expect(
      createInvalidation(cf, 'E1', ['/*'], 'ref', { baseMs: 1, onRetry: (a) => retries.push(a) }),
    ).resolves.toBe('I123');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });
});
