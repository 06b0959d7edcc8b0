import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Stats } from 'node:fs';

/**
 * MD5s of build files from the last deploy of the same folder on this machine, keyed by what `stat` saw then: size,
 * mtime, ctime and inode. The kernel sets ctime on every write (no tool can set it back), so an entry matches only an
 * untouched file. A remembered MD5 is used only when the current release manifest records that same size and MD5
 * for the file (deploy.ts checks, and hashes the file otherwise): a stale entry can never hide a change.
 */
export type HashCache = Map<string, { stamp: string; md5: string }>;

export const stampOf = (st: Stats) => `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;

function fileFor(root: string): string {
  const dir = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(dir, 'shisha-ops', `md5-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
}

/** The cache for a build folder (empty when there is none or it cannot be read). */
export function loadHashCache(root: string): HashCache {
  try {
    const data = JSON.parse(readFileSync(fileFor(root), 'utf8')) as Record<string, [string, string]>;
    return new Map(Object.entries(data).map(([rel, [stamp, md5]]) => [rel, { stamp, md5 }]));
  } catch {
    return new Map();
  }
}

/** Writes the cache (best effort: a read-only home only costs the next deploy its hashing). */
export function saveHashCache(root: string, files: { rel: string; stamp?: string; md5: string }[]): void {
  const data: Record<string, [string, string]> = {};
  for (const f of files) if (f.stamp) data[f.rel] = [f.stamp, f.md5];
  const file = fileFor(root);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(data));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    /* best effort */
  }
}
