import { describe, expect, it } from '@jest/globals';
import { humanSize } from './size.js';

describe('humanSize', () => {
  it('writes binary units with the precision a person reads', () => {
    expect(humanSize(0)).toBe('0 B');
    expect(humanSize(1023)).toBe('1023 B');
    expect(humanSize(1024)).toBe('1.0 KiB');
    expect(humanSize(2048)).toBe('2.0 KiB');
    expect(humanSize(1536)).toBe('1.5 KiB');
    expect(humanSize(12.34 * 1024 ** 2)).toBe('12.3 MiB');
    expect(humanSize(1.25 * 1024 ** 3)).toBe('1.25 GiB');
    expect(humanSize(1023.5 * 1024)).toBe('1023.5 KiB');
  });
});

describe('humanSize as pretty-bytes wrote it (binary, 0-2 fraction digits, cut)', () => {
  it('agrees with pretty-bytes over a spread of sizes', async () => {
    const { default: prettyBytes } = await import('pretty-bytes');
    const theirs = (n: number) => {
      const digits = n >= 1024 ** 3 ? 2 : n >= 1024 ? 1 : 0;
      return prettyBytes(n, { binary: true, minimumFractionDigits: digits, maximumFractionDigits: digits });
    };
    for (let n = 0; n < 2 ** 52; n = Math.floor(n * 1.37) + 1) expect(humanSize(n)).toBe(theirs(n));
    for (const n of [1023, 1024, 1048575, 1048576, 1024 ** 3 - 1, 1024 ** 3, 1024 ** 4 - 1, 1024 ** 4])
      expect(humanSize(n)).toBe(theirs(n));
  });
});
