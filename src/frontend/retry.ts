/** Transient failures worth another attempt: throttling, 5xx, timeouts and dropped connections. */
export function isTransient(err: unknown): boolean {
  const e = err as {
    name?: string;
    code?: string;
    Code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  if (status >= 500 || status === 429 || e?.$retryable) return true;
  const code = e?.code ?? e?.Code ?? e?.name ?? '';
  return (
    /^(ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED|ECONNABORTED|EAI_AGAIN|UND_ERR_SOCKET|TimeoutError|RequestTimeout|RequestTimeTooSkewed|SlowDown|Throttling|ThrottlingException|InternalError|ServiceUnavailable)$/.test(
      code,
    ) || /socket hang up|ECONNRESET|EPIPE|ETIMEDOUT|TimeoutError|aborted/i.test(String((err as Error)?.message ?? ''))
  );
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `fn` (which must build its request afresh, e.g. reopen a file stream) up to `attempts` times, with
 * exponential backoff and jitter between transient failures.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  opts: {
    attempts?: number;
    baseMs?: number;
    maxMs?: number;
    retryable?: (err: unknown) => boolean;
    onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const base = opts.baseMs ?? 200;
  const max = opts.maxMs ?? 20000;
  const retryable = opts.retryable ?? isTransient;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !retryable(err)) throw err;
      const delay = Math.min(max, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}
