import { describe, expect, it } from '@jest/globals';
import { LOCK_LEASE_MS, RUN_LEASE_MS, leaseEnd } from './coordination.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');

describe('leaseEnd (review of #12, finding 2: an object claiming an absurd lease)', () => {
  it("counts the lease from the object's LastModified (S3's clock), capped at what its kind may have", () => {
    expect(leaseEnd({ owner: 'a', expiresAt: 'x', leaseMs: 60_000 }, t0, LOCK_LEASE_MS)).toBe(t0 + 60_000);
    expect(leaseEnd({ owner: 'mallory', expiresAt: '9999-12-31T00:00:00Z' }, t0, LOCK_LEASE_MS)).toBe(
      t0 + LOCK_LEASE_MS,
    );
    expect(leaseEnd({ owner: 'mallory', expiresAt: 'x', leaseMs: 1e15 }, t0, RUN_LEASE_MS)).toBe(t0 + RUN_LEASE_MS);
  });

  it('treats an unreadable, negative or missing lease as over', () => {
    expect(leaseEnd({}, t0, LOCK_LEASE_MS)).toBe(t0);
    expect(leaseEnd({ expiresAt: 'soon' }, t0, LOCK_LEASE_MS)).toBe(t0);
    expect(leaseEnd({ expiresAt: new Date(t0 - 1000).toISOString() }, t0, LOCK_LEASE_MS)).toBe(t0);
    expect(leaseEnd({ leaseMs: -5 }, t0, LOCK_LEASE_MS)).toBe(t0);
  });
});
