import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/**
 * Small build files (most of a build) are read whole and synchronously: per file that costs a fraction of the CPU of
 * a stream or of fs/promises' open/stat/read/close hops (profiled). They are read into reused buffers, not a new
 * buffer per file, so hashing and uploading 20,000 files leaves no garbage the size of the build behind (which the GC
 * is slow to return: peak RSS grew with the build's bytes). The buffers come in power-of-two sizes from 16 KiB to
 * 2 MiB, each file taking the smallest that holds it with a byte to spare (a full buffer means the file grew): 16
 * uploads of typical 30 KiB chunks hold 1 MiB, not 16 one-MiB buffers (bench/frontend.sh, 2,000 files: array
 * buffers at peak 17 MB before, 4 MB after).
 */
export const SMALL_FILE_MAX = 1 << 20;

const SMALLEST = 1 << 14;
/** Free buffers by size. At most one a request in flight is out at a time, so each list stays within the concurrency. */
const free = new Map<number, Buffer[]>();

function take(size: number): Buffer {
  let n = SMALLEST;
  while (n <= size) n *= 2;
  return free.get(n)?.pop() ?? Buffer.allocUnsafeSlow(n);
}

function give(buf: Buffer): void {
  const list = free.get(buf.length);
  if (list) list.push(buf);
  else free.set(buf.length, [buf]);
}

/** Reads up to `buf.length` bytes of the file; returns how many. */
function readInto(fd: number, buf: Buffer, position: number | null = null): number {
  let n = 0;
  for (let got = -1; got !== 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, position);
  return n;
}

/** MD5 (hex) of a file of about `size` bytes, read synchronously through one reused buffer. */
export function md5Sync(abs: string, size: number): string {
  const buf = take(Math.min(size, SMALL_FILE_MAX));
  const fd = openSync(abs, 'r');
  try {
    const h = createHash('md5');
    for (let n = readInto(fd, buf); n > 0; n = readInto(fd, buf)) h.update(buf.subarray(0, n));
    return h.digest('hex');
  } finally {
    closeSync(fd);
    give(buf);
  }
}

/**
 * A small file's bytes (`size`: what the scan saw) in a pooled buffer; `release()` hands the buffer back once the
 * request that sent it is over. A file that grew past its buffer is read into a buffer of its own.
 */
export function readSmall(abs: string, size: number): { bytes: Buffer; release(): void } {
  const buf = take(size);
  const fd = openSync(abs, 'r');
  let n: number;
  try {
    n = readInto(fd, buf);
  } finally {
    closeSync(fd);
  }
  if (n === buf.length) {
    give(buf);
    return { bytes: readFileSync(abs), release: () => undefined };
  }
  return { bytes: buf.subarray(0, n), release: () => give(buf) };
}
