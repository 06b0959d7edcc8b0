import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import pMap from 'p-map';
import { InputError } from '../core/errors.js';
import { cacheControlFor, type CacheRule } from './cache-rules.js';
import { contentTypeFor } from './content-type.js';
import { stampOf, type HashCache } from './hash-cache.js';
import { SMALL_FILE_MAX, md5Sync } from './small-files.js';
import { RELEASES_DIR, hasControlCharacter, type FileEntry } from './releases.js';

export interface LocalFile extends FileEntry {
  /** Path relative to the build root with `/` separators: the key under the prefix. */
  rel: string;
  abs: string;
  /** What `stat` saw (hash-cache.ts); `cached`: the MD5 came from the cache, not from reading the file. */
  stamp?: string;
  cached?: boolean;
}

/** Checks the build directory: it exists, is a directory, holds files and an `index.html` at its root. */
export async function checkSourceDir(dir: string, input = 'source-dir'): Promise<string> {
  const abs = path.resolve(dir);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new InputError(input, `directory '${dir}' does not exist (expected the build output, e.g. dist)`);
  if (!st.isDirectory())
    throw new InputError(input, `'${dir}' is not a directory (expected the build output, e.g. dist)`);
  const top = await readdir(abs);
  if (top.length === 0) throw new InputError(input, `directory '${dir}' is empty: run the build first`);
  const index = await stat(path.join(abs, 'index.html')).catch(() => undefined);
  if (!index?.isFile())
    throw new InputError(input, `'${dir}' has no index.html at its root: is it the SPA's build output?`);
  const indexTarget = await realpath(path.join(abs, 'index.html'));
  if (!inside(await realpath(abs), indexTarget)) {
    throw new InputError(
      input,
      `index.html is a symlink that leads outside '${dir}' (to ${indexTarget}): copy the file into the build`,
    );
  }
  if (top.includes(RELEASES_DIR.slice(0, -1))) {
    throw new InputError(input, `'${dir}' contains '${RELEASES_DIR}', which is reserved for release manifests`);
  }
  return abs;
}

const inside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/** A file of the build: its key relative to the root, and the path to read it from (a symlink's target). */
export interface BuildEntry {
  rel: string;
  abs: string;
}

/** Hidden names deployed anyway: `.well-known/` is meant to be public (security.txt, app links). */
const PUBLIC_DOTFILES = new Set(['.well-known']);

/**
 * Every file of the build, sorted. Symlinks that stay inside the root are followed (files and folders, without
 * looping); ones that leave it are skipped with a warning naming them. Hidden files and folders (`.env`, `.git/`) are
 * skipped with a warning unless `includeDotfiles`. A name with a control character (newline, tab…) is refused.
 */
export async function listBuild(
  root: string,
  opts: { includeDotfiles: boolean; warn: (m: string) => void; input?: string },
): Promise<BuildEntry[]> {
  const realRoot = await realpath(root);
  const out: BuildEntry[] = [];
  const outside: string[] = [];
  const broken: string[] = [];
  const hidden: string[] = [];
  // Each folder is entered through a symlink at most once: a web of links between folders stays linear, not factorial.
  const linkedDirs = new Set<string>();
  const isHidden = (segment: string) => segment.startsWith('.') && !PUBLIC_DOTFILES.has(segment);
  const visit = async (dir: string, relDir: string, ancestors: Set<string>): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.name.includes('\uFFFD')) {
        throw new InputError(
          opts.input ?? 'source-dir',
          `file name ${JSON.stringify(rel)} is not valid UTF-8, which S3 keys must be: rename it`,
        );
      }
      if (hasControlCharacter(rel)) {
        throw new InputError(
          opts.input ?? 'source-dir',
          `file name ${JSON.stringify(rel)} contains a control character (newline, tab…), which S3 keys and URLs cannot carry safely: rename it`,
        );
      }
      if (e.name === RELEASES_DIR.slice(0, -1)) {
        // Below the root too: a folder with its own `_releases/` is taken for another site sharing the bucket.
        throw new InputError(
          opts.input ?? 'source-dir',
          `'${rel}' uses the name '${e.name}', which is reserved for release manifests`,
        );
      }
      let abs = path.join(dir, e.name);
      let isDir = e.isDirectory();
      let hiddenTarget = false;
      if (e.isSymbolicLink()) {
        const target = await realpath(abs).catch(() => undefined);
        const st = target ? await stat(target).catch(() => undefined) : undefined;
        if (!target || !st) {
          broken.push(rel); // dangling, or a loop of links
          continue;
        }
        if (!inside(realRoot, target)) {
          outside.push(rel);
          continue;
        }
        abs = target;
        isDir = st.isDirectory();
        if (!isDir && !st.isFile()) continue;
        // `config.txt -> .env` is as hidden as `.env`.
        hiddenTarget = path.relative(realRoot, target).split(path.sep).some(isHidden);
      } else if (!isDir && !e.isFile()) continue; // sockets, FIFOs
      if ((isHidden(e.name) || hiddenTarget) && !opts.includeDotfiles) {
        hidden.push(isDir ? `${rel}/` : rel);
        continue;
      }
      if (!isDir) {
        out.push({ rel, abs });
        continue;
      }
      const real = await realpath(abs);
      if (ancestors.has(real)) continue; // a link to a folder that contains it
      if (e.isSymbolicLink()) {
        if (linkedDirs.has(real)) continue;
        linkedDirs.add(real);
      }
      await visit(abs, rel, new Set([...ancestors, real]));
    }
  };
  await visit(root, '', new Set([realRoot]));
  const names = (l: string[]) => l.slice(0, 10).join(', ') + (l.length > 10 ? `, … (${l.length - 10} more)` : '');
  if (outside.length)
    opts.warn(
      `skipped ${outside.length} symlink${outside.length > 1 ? 's' : ''} that lead outside source-dir: ${names(outside)}`,
    );
  if (broken.length)
    opts.warn(
      `skipped ${broken.length} symlink${broken.length > 1 ? 's' : ''} that lead nowhere (dangling, or a loop of links): ${names(broken)}`,
    );
  if (hidden.length)
    opts.warn(
      `skipped ${hidden.length} hidden files or folders in source-dir: ${names(hidden)} (set include-dotfiles to true to deploy them)`,
    );
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
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

/** Hashes every file of the build (small ones read at once, large ones streamed), with its Content-Type and Cache-Control. */
export async function scanBuild(
  entries: BuildEntry[],
  rules: CacheRule[],
  concurrency = 8,
  cache: HashCache = new Map(),
): Promise<LocalFile[]> {
  return pMap(
    entries,
    async ({ rel, abs }) => {
      const st = statSync(abs); // sync: cheaper per file than a promise per syscall (profiled)
      const stamp = stampOf(st);
      const known = cache.get(rel);
      // A remembered MD5 is only a candidate (`cached`): deploy.ts keeps it only when the release manifest agrees.
      const md5 =
        known?.stamp === stamp ? known.md5 : st.size <= SMALL_FILE_MAX ? md5Sync(abs, st.size) : await md5File(abs);
      return {
        rel,
        abs,
        md5,
        size: st.size,
        stamp,
        cached: known?.stamp === stamp,
        contentType: contentTypeFor(rel),
        cacheControl: cacheControlFor(rules, rel),
      };
    },
    { concurrency },
  );
}
