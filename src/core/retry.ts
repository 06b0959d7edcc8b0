import pRetry from 'p-retry';

/**
 * The server errors the SDK's standard retry strategy retries (@smithy's TRANSIENT_ERROR_STATUS_CODES): not 501
 * NotImplemented (a header or feature the service does not support: no retry mends it) nor the rest of 5xx.
 */
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/** Transient failures worth another attempt: throttling, 500/502/503/504, timeouts and dropped connections. */
export function isTransient(err: unknown): boolean {
  const e = err as {
    name?: string;
    code?: string;
    Code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  if (TRANSIENT_STATUS.has(status) || status === 429 || e?.$retryable) return true;
  const code = e?.code ?? e?.Code ?? e?.name ?? '';
  return (
    /^(ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED|ECONNABORTED|EAI_AGAIN|UND_ERR_SOCKET|TimeoutError|RequestTimeout|RequestTimeTooSkewed|SlowDown|Throttling|ThrottlingException|InternalError|ServiceUnavailable)$/.test(
      code,
    ) || /socket hang up|ECONNRESET|EPIPE|ETIMEDOUT|TimeoutError|aborted/i.test(String((err as Error)?.message ?? ''))
  );
}

export interface RetryOptions {
  /** Tries in all (default 5). */
  attempts?: number;
  /** The longest wait before the first retry (default 200 ms); it doubles each retry, up to `maxMs` (default 20 s). */
  baseMs?: number;
  maxMs?: number;
  /** Which failures are worth another attempt (default: isTransient). */
  retryable?: (err: unknown) => boolean;
  /** Called before each retry, with the failure and the number of the attempt that failed. */
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs `fn` (which must build its request afresh, e.g. reopen a file stream) up to `attempts` times, with
 * exponential backoff and jitter (p-retry) between retryable failures; the last failure is thrown as it is.
 */
export function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retryable = opts.retryable ?? isTransient;
  const base = opts.baseMs ?? 200;
  return pRetry(() => fn().catch((err: unknown) => Promise.reject(asError(err))), {
    retries: (opts.attempts ?? 5) - 1,
    // p-retry waits minTimeout × 2^n × a random factor in [1, 2): half the base up to the base, doubling.
    minTimeout: base / 2,
    randomize: true,
    maxTimeout: opts.maxMs ?? 20000,
    // Asked only while attempts are left: a yes is a retry.
    shouldRetry: ({ error, attemptNumber }) => {
      if (!retryable(error)) return false;
      opts.onRetry?.(error, attemptNumber);
      return true;
    },
  });
}

/**
 * p-retry retries only `Error` instances. An error made in another realm (Node's own socket errors seen from a VM
 * context, as under Jest) fails `instanceof Error`: it is carried in a local Error with the same name, message, code
 * and fields, so its failure is judged (and reported) like any other.
 */
function asError(err: unknown): unknown {
  if (err instanceof Error || typeof err !== 'object' || err === null || !('message' in err)) return err;
  const e = err as Error;
  return Object.assign(new Error(e.message, { cause: err }), err, { name: e.name, stack: e.stack });
}
