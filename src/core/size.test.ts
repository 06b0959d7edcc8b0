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
