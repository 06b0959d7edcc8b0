import { OpsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Timing } from './timing.js';

/**
 * GETs the URL until it answers 2xx, at most `healthAttempts` times. Returns the status; throws OpsError with the
 * last answer when it never does.
 */
export async function probeHealth(url: string, timing: Timing, reporter: Reporter): Promise<number> {
  let last = '';
  for (let attempt = 1; attempt <= timing.healthAttempts; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timing.healthRequestMs), redirect: 'follow' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        reporter.info(`GET ${url} → ${res.status} (attempt ${attempt})`);
        return res.status;
      }
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name ?? String(err);
    }
    reporter.info(`GET ${url} → ${last} (attempt ${attempt}/${timing.healthAttempts})`);
    if (attempt < timing.healthAttempts) await timing.sleep(timing.healthIntervalMs);
  }
  throw new OpsError(
    `health check GET ${url} did not answer 2xx after ${timing.healthAttempts} attempts (last: ${last})`,
  );
}
