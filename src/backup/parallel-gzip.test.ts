import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { ParallelGzip } from './parallel-gzip.js';

async function compress(
  input: Buffer,
  opts: { blockSize: number; concurrency?: number },
  chunk = 10_000,
): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) pieces.push(input.subarray(i, i + chunk));
  const sink = new Writable({ write: (b: Buffer, _e, cb) => (out.push(b), cb()) });
  await pipeline(Readable.from(pieces), new ParallelGzip({ level: 6, ...opts }), sink);
  return Buffer.concat(out);
}

describe('ParallelGzip', () => {
  // Text that compresses, with some random bytes so the blocks differ.
  const input = Buffer.concat(
    Array.from({ length: 200 }, (_, i) =>
      Buffer.from(`INSERT INTO t VALUES (${i}, 'シーシャ ${randomBytes(40).toString('hex')}');\n`.repeat(20)),
    ),
  );

  it('writes gzip members in order that gunzip (zlib and the gzip tool) restores exactly', async () => {
    const gz = await compress(input, { blockSize: 64 * 1024, concurrency: 3 });
    expect(gunzipSync(gz).equals(input)).toBe(true);
    expect(execFileSync('gzip', ['-dc'], { input: gz }).equals(input)).toBe(true);
    expect(gz.length).toBeLessThan(input.length / 2);
  });

  it('restores exactly when chunks straddle blocks, one chunk spans several blocks, and block buffers are reused', async () => {
    // 40 blocks of 64 KiB through 3 + 1 buffers in flight: every buffer is reused many times; chunk sizes that do not
    // divide the block size put each block together from pieces of two or more chunks, and one 300 kB chunk fills
    // several blocks at once. A reused buffer written before its block was compressed would corrupt the output.
    const big = Buffer.concat(
      [input, input, input, input, input, input].map((b, i) => Buffer.concat([b, randomBytes(i * 999)])),
    );
    for (const chunk of [7_777, 300_000]) {
      const gz = await compress(big, { blockSize: 64 * 1024, concurrency: 3 }, chunk);
      expect(gunzipSync(gz).equals(big)).toBe(true);
      execFileSync('gzip', ['-t'], { input: gz });
    }
  });

  it('restores incompressible input, whose members outgrow the half-block output buffer', async () => {
    const noise = randomBytes(5 * 64 * 1024 + 123);
    const gz = await compress(noise, { blockSize: 64 * 1024, concurrency: 2 }, 50_000);
    expect(gz.length).toBeGreaterThan(noise.length);
    expect(gunzipSync(gz).equals(noise)).toBe(true);
    execFileSync('gzip', ['-t'], { input: gz });
  });

  it('handles empty input and input smaller than one block', async () => {
    expect(await compress(Buffer.alloc(0), { blockSize: 1024 })).toHaveLength(0);
    const small = Buffer.from('SELECT 1;\n');
    expect(gunzipSync(await compress(small, { blockSize: 1 << 20 })).toString()).toBe('SELECT 1;\n');
  });
});
