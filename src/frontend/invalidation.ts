import {
  CreateInvalidationCommand,
  GetDistributionCommand,
  waitUntilInvalidationCompleted,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { InputError, OpsError, describeError } from '../core/errors.js';
import { isTransient, withRetry } from '../core/retry.js';

type Send = Pick<CloudFrontClient, 'send'>;

/**
 * Checks the distribution exists before anything changes, and returns the site's URL (its first alias, else its
 * cloudfront.net name) for the summary. Missing permission to read it is only a warning (and no URL).
 */
export async function checkDistribution(cf: Send, id: string, warn: (m: string) => void): Promise<string | undefined> {
  try {
    const { Distribution: d } = await cf.send(new GetDistributionCommand({ Id: id }));
    const host = d?.DistributionConfig?.Aliases?.Items?.[0] ?? d?.DomainName;
    return host ? `https://${host}/` : undefined;
  } catch (err) {
    const name = (err as { name?: string }).name;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'NoSuchDistribution' || status === 404)
      throw new InputError('distribution-id', `CloudFront distribution '${id}' does not exist`);
    if (name === 'AccessDenied' || status === 403) {
      warn(`cannot read distribution ${id} (GetDistribution denied); the invalidation will tell if it is wrong`);
      return undefined;
    }
    throw new OpsError(`GetDistribution ${id} failed: ${describeError(err)}`, { cause: err });
  }
}

/**
 * Creates the invalidation. CloudFront allows a limited number in progress per distribution
 * (TooManyInvalidationsInProgress): wait and retry with backoff, up to a few minutes.
 */
export async function createInvalidation(
  cf: Send,
  distributionId: string,
  paths: string[],
  callerReference: string,
  opts: { attempts?: number; baseMs?: number; onRetry?: (attempt: number) => void } = {},
): Promise<string> {
  const res = await withRetry(
    () =>
      cf.send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
        }),
      ),
    {
      attempts: opts.attempts ?? 8,
      baseMs: opts.baseMs ?? 5000,
      maxMs: 60000,
      retryable: (err) => (err as { name?: string }).name === 'TooManyInvalidationsInProgress',
      onRetry: (_e, attempt) => opts.onRetry?.(attempt),
    },
  );
  const id = res.Invalidation?.Id;
  if (!id) throw new OpsError('CreateInvalidation returned no invalidation id');
  return id;
}

/**
 * Waits until CloudFront reports the invalidation Completed, with the SDK's waiter (GetInvalidation, backing off from
 * `intervalMs` up to three times that). Throws when the timeout passes, and at once when GetInvalidation fails for a
 * reason other than a transient one (the waiter itself would keep asking until the timeout).
 */
export async function waitForInvalidation(
  cf: Send,
  distributionId: string,
  id: string,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 15 * 60000;
  const intervalS = (opts.intervalMs ?? 10000) / 1000;
  let status = 'unknown';
  let failure: unknown;
  const stop = new AbortController();
  // The waiter only sends GetInvalidation: this client tells it the status and stops it on a lasting error.
  const client = {
    send: async (command: Parameters<Send['send']>[0]) => {
      try {
        const res = await cf.send(command);
        status = (res as { Invalidation?: { Status?: string } }).Invalidation?.Status ?? status;
        return res;
      } catch (err) {
        if (!isTransient(err)) {
          failure = err;
          stop.abort();
        }
        throw err;
      }
    },
  } as unknown as CloudFrontClient;
  try {
    await waitUntilInvalidationCompleted(
      { client, maxWaitTime: timeoutMs / 1000, minDelay: intervalS, maxDelay: 3 * intervalS, abortSignal: stop.signal },
      { DistributionId: distributionId, Id: id },
    );
  } catch (err) {
    if (failure) throw failure;
    if ((err as Error).name === 'TimeoutError')
      throw new OpsError(`invalidation ${id} was still ${status} after ${+(timeoutMs / 60000).toFixed(2)} min`);
    throw err;
  }
}
