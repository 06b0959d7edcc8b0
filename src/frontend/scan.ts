import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { InputError } from '../core/errors.js';
import { cacheControlFor, type CacheRule } from './cache-rules.js';
import { contentTypeFor } from './content-type.js';
import { RELEASES_DIR, type FileEntry } from './releases.js';

export interface LocalFile extends FileEntry {
  /** Path relative to the build root with `/` separators: the key under the prefix. */
  rel: string;
  abs: string;
}

/** Checks the build directory: it exists, is a directory, holds files and an `index.html` at its root. */
export async function checkSourceDir(dir: string, input = 'source-dir'): Promise<string> {
  const abs = path.resolve(dir);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new InputError(input, `directory '${dir}' does not exist (expected the build output, e.g. dist)`);
  if (!st.isDirectory()) throw new InputError(input, `'${dir}' is not a directory (expected the build output, e.g. dist)`);
  const top = await readdir(abs);
  if (top.length === 0) throw new InputError(input, `directory '${dir}' is empty: run the build first`);
  const index = await stat(path.join(abs, 'index.html')).catch(() => undefined);
  if (!index?.isFile()) throw new InputError(input, `'${dir}' has no index.html at its root: is it the SPA's build output?`);
  if (top.includes(RELEASES_DIR.slice(0, -1))) {
    throw new InputError(input, `'${dir}' contains '${RELEASES_DIR}', which is reserved for release manifests`);
  }
  return abs;
}

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const parent = (e as { parentPath?: string; path?: string }).parentPath ?? (e as { path?: string }).path ?? root;
    out.push(path.relative(root, path.join(parent, e.name)).split(path.sep).join('/'));
  }
  return out.sort();
}

export function md5File(abs: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('md5');
    createReadStream(abs)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Lists and hashes every file of the build (streamed, a few at a time), with its Content-Type and Cache-Control. */
export async function scanBuild(root: string, rules: CacheRule[], concurrency = 8): Promise<LocalFile[]> {
  const rels = await walk(root);
  const limit = pLimit(concurrency);
  return Promise.all(
    rels.map((rel) =>
      limit(async () => {
        const abs = path.join(root, ...rel.split('/'));
        const [st, md5] = await Promise.all([stat(abs), md5File(abs)]);
        return { rel, abs, md5, size: st.size, contentType: contentTypeFor(rel), cacheControl: cacheControlFor(rules, rel) };
      }),
    ),
  );
}
