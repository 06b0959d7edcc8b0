import { describe, expect, it } from '@jest/globals';
import { resolveTiming } from './timing.js';

describe('resolveTiming', () => {
  it('uses production intervals by default: polls from 5 s up to 15 s, 10 health attempts', () => {
    expect(resolveTiming({}, {})).toMatchObject({
      pollMs: 5000,
      maxPollMs: 15000,
      healthAttempts: 10,
      healthIntervalMs: 5000,
    });
  });

  it('scales down with SHISHA_OPS_POLL_MS, and explicit overrides win', () => {
    expect(resolveTiming({}, { SHISHA_OPS_POLL_MS: '50' })).toMatchObject({
      pollMs: 50,
      maxPollMs: 150,
      healthIntervalMs: 50,
    });
    expect(resolveTiming({ pollMs: 7 }, { SHISHA_OPS_POLL_MS: '50' }).pollMs).toBe(7);
    expect(resolveTiming({}, { SHISHA_OPS_POLL_MS: 'fast' }).pollMs).toBe(5000);
  });
});
