import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** A passthrough that hashes (sha256) and counts the bytes flowing through it, without holding them. */
export interface HashingTap {
  tap: Transform;
  /** Hex sha256 of everything that passed (call once, after the end). */
  digest(): string;
  /** Bytes that passed so far. */
  bytes(): number;
}

export function hashingTap(): HashingTap {
  const hash = createHash('sha256');
  let n = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      n += chunk.length;
      cb(null, chunk);
    },
  });
  return { tap, digest: () => hash.digest('hex'), bytes: () => n };
}
