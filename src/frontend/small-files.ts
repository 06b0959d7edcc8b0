import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/**
 * Small build files (most of a build) are read whole and synchronously: per file that costs a fraction of the CPU of
 * a stream or of fs/promises' open/stat/read/close hops (profiled). They are read into reused 1 MiB buffers, not a
 * new buffer per file, so hashing and uploading 20,000 files leaves no garbage the size of the build behind (which
 * the GC is slow to return: peak RSS grew with the build's bytes).
 */
export const SMALL_FILE_MAX = 1 << 20;

const free: Buffer[] = [];

/** Reads up to `buf.length` bytes of the file; returns how many. */
function readInto(fd: number, buf: Buffer, position: number | null = null): number {
  let n = 0;
  for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, position);
  return n;
}

/** MD5 (hex) of a file, read synchronously through one reused buffer. */
export function md5Sync(abs: string): string {
  const buf = free.pop() ?? Buffer.allocUnsafeSlow(SMALL_FILE_MAX);
  const fd = openSync(abs, 'r');
  try {
    const h = createHash('md5');
    for (let n = readInto(fd, buf); n > 0; n = readInto(fd, buf)) h.update(buf.subarray(0, n));
    return h.digest('hex');
  } finally {
    closeSync(fd);
    free.push(buf);
  }
}

/**
 * A small file's bytes in a pooled buffer; `release()` hands the buffer back once the request that sent it is over
 * (at most one buffer per request in flight). A file that grew past the buffer is read into a buffer of its own.
 */
export function readSmall(abs: string): { bytes: Buffer; release(): void } {
  const buf = free.pop() ?? Buffer.allocUnsafeSlow(SMALL_FILE_MAX);
  const fd = openSync(abs, 'r');
  let n: number;
  try {
    n = readInto(fd, buf);
  } finally {
    closeSync(fd);
  }
  if (n === buf.length) {
    free.push(buf);
    return { bytes: readFileSync(abs), release: () => undefined };
  }
  return { bytes: buf.subarray(0, n), release: () => free.push(buf) };
}
