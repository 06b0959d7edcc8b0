import { describe, expect, it } from '@jest/globals';
import { correctedOffset } from './put-object.js';

describe('clock correction of the lean PutObject (as the SDK signer does it)', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  it("takes S3's Date when this host is more than 5 minutes off (a RequestTimeTooSkewed retry then signs right)", () => {
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 12:20:00 GMT' }, 0, now)).toBe(20 * 60_000);
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 11:40:00 GMT' }, 0, now)).toBe(-20 * 60_000);
  });
  it('keeps the offset within 5 minutes, without a Date, and for cached answers (Age)', () => {
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 12:02:00 GMT' }, 0, now)).toBe(0);
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 12:20:00 GMT' }, 20 * 60_000, now)).toBe(20 * 60_000);
    expect(correctedOffset({}, 7, now)).toBe(7);
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 12:20:00 GMT', age: '30' }, 0, now)).toBe(0);
  });
});
