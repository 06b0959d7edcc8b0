import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SMALL_FILE_MAX, md5Sync, readSmall } from './small-files.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'small-files-'));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const write = (name: string, bytes: Buffer) => {
  const abs = path.join(dir, name);
  writeFileSync(abs, bytes);
  return abs;
};

describe('small build files through pooled buffers', () => {
  it('hashes and reads files at and around the buffer sizes byte for byte', () => {
    for (const size of [0, 1, 16383, 16384, 16385, 65536, SMALL_FILE_MAX - 1, SMALL_FILE_MAX]) {
      const bytes = randomBytes(size);
      const abs = write(`f${size}`, bytes);
      expect(md5Sync(abs, size)).toBe(md5(bytes));
      const r = readSmall(abs, size);
      expect(md5(r.bytes)).toBe(md5(bytes));
      r.release();
    }
  });

  it('a file that changed size since it was scanned is read as it is now, whole', () => {
    const grown = randomBytes(200_000);
    const abs = write('grown', grown);
    const r = readSmall(abs, 100); // scanned at 100 bytes
    expect(r.bytes.length).toBe(grown.length);
    expect(md5(r.bytes)).toBe(md5(grown));
    r.release();
    expect(md5Sync(abs, 100)).toBe(md5(grown));
    const shrunk = write('shrunk', Buffer.from('tiny'));
    const s = readSmall(shrunk, 500_000);
    expect(s.bytes.toString()).toBe('tiny');
    s.release();
  });

  it('a buffer handed back is not handed out while the bytes read into it are still in use', () => {
    const a = readSmall(write('a', Buffer.alloc(1000, 'a')), 1000);
    const b = readSmall(write('b', Buffer.alloc(1000, 'b')), 1000);
    expect(a.bytes.toString()).toBe('a'.repeat(1000));
    expect(b.bytes.toString()).toBe('b'.repeat(1000));
    a.release();
    b.release();
  });
});
