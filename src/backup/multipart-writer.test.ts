import { describe, expect, it } from '@jest/globals';
import { largestObject, MAX_PART_SIZE, partSizeOf } from './multipart-writer.js';

const MiB = 1024 * 1024;

describe('part sizes', () => {
  it('start at the first size and double every growEvery parts', () => {
    expect([1, 2000, 2001, 4000, 4001, 8001, 10000].map((n) => partSizeOf(n, 5 * MiB, 2000) / MiB)).toEqual([
      5, 5, 10, 10, 20, 80, 80,
    ]);
  });

  it("carry about 303 GiB in S3's 10,000 parts from 5 MiB (fixed 8 MiB parts: 78 GiB)", () => {
    expect(largestObject(5 * MiB, 2000) / 1024 ** 3).toBeCloseTo(302.7, 1);
    expect(largestObject(8 * MiB, 10_000) / 1024 ** 3).toBeCloseTo(78.1, 1);
  });

  it("never exceed S3's 5 GiB part", () => {
    expect(partSizeOf(10_000, 1024 * MiB, 1)).toBe(MAX_PART_SIZE);
  });
});
