import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { hashingTap } from './hash.js';

describe('hashingTap', () => {
  it('passes the bytes through unchanged and gives their sha256 and count', async () => {
    const parts = ['COPY public.t (a) FROM stdin;\n', '1\n2\n', '\\.\n'];
    const h = hashingTap();
    const out = text(h.tap);
    await pipeline(Readable.from(parts.map((p) => Buffer.from(p))), h.tap);
    expect(await out).toBe(parts.join(''));
    expect(h.digest()).toBe(createHash('sha256').update(parts.join('')).digest('hex'));
    expect(h.bytes()).toBe(Buffer.byteLength(parts.join('')));
  });
});
