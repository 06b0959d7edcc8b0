import {
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
  type CloudFrontClient,
} from '@aws-sdk/client-cloudfront';
import { InputError, OpsError, describeError } from '../core/errors.js';
import { sleep, withRetry } from './retry.js';

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
  opts: { attempts?: number; baseMs?: number; onRetry?: (delayMs: number) => void } = {},
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
      onRetry: (_e, _a, delay) => opts.onRetry?.(delay),
    },
  );
  const id = res.Invalidation?.Id;
  if (!id) throw new OpsError('CreateInvalidation returned no invalidation id');
  return id;
}

/** Polls GetInvalidation until CloudFront reports it Completed (or the timeout passes). */
export async function waitForInvalidation(
  cf: Send,
  distributionId: string,
  id: string,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60000);
  for (;;) {
    const res = await cf.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: id }));
    if ((res.Invalidation?.Status ?? '').toLowerCase() === 'completed') return;
    if (Date.now() > deadline)
      throw new OpsError(
        `invalidation ${id} was still ${res.Invalidation?.Status} after ${Math.round((opts.timeoutMs ?? 900000) / 60000)} min`,
      );
    await sleep(opts.intervalMs ?? 10000);
  }
}
