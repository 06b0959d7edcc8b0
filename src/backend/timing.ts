/** How often and how long to poll. Production defaults; tests pass small values (not an action input). */
export interface Timing {
  /** First wait between polls of the deployment state (ms); grows by half each poll up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
  /** Health probe: attempts and the wait between them (ms). */
  healthAttempts: number;
  healthIntervalMs: number;
  /** Timeout of one health request (ms). */
  healthRequestMs: number;
  sleep: (ms: number) => Promise<void>;
}

const PRODUCTION: Omit<Timing, 'sleep'> = {
  pollMs: 5_000,
  maxPollMs: 15_000,
  healthAttempts: 10,
  healthIntervalMs: 5_000,
  healthRequestMs: 10_000,
};

/**
 * The timing to use: production defaults, scaled down by `SHISHA_OPS_POLL_MS` (the first poll interval, for local
 * demos against the lab), then any explicit overrides.
 */
export function resolveTiming(
  overrides: Partial<Timing> = {},
  env: Record<string, string | undefined> = process.env,
): Timing {
  const t: Timing = { ...PRODUCTION, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
  const poll = Number(env.SHISHA_OPS_POLL_MS);
  if (env.SHISHA_OPS_POLL_MS && Number.isFinite(poll) && poll > 0) {
    t.pollMs = poll;
    t.maxPollMs = poll * 3;
    t.healthIntervalMs = poll;
  }
  return { ...t, ...overrides };
}
