import type { BucketState } from './bucket.js';
import { timeOfId, type Manifest } from './releases.js';

export interface PrunePlan {
  /** Release ids kept (the newest `keep`, and those younger than `keepDays`). */
  kept: string[];
  /** Site objects (relative keys) to delete. */
  site: string[];
  /** Manifests of releases that fall out of the window. */
  releases: string[];
  /** Rollback blobs (md5) no kept release needs. */
  blobs: string[];
}

/** How long what a release references stays (`keep-days`), and the time to count from (S3's clock; default: now). */
export interface AgePolicy {
  keepDays: number;
  now?: number;
}

const DAY_MS = 24 * 3600_000;

/**
 * When a release was made: the later of its id's time (the deploying machine's clock) and its manifest's
 * LastModified (S3's), so neither a slow clock nor a copied bucket makes a release look older than it is. (Ids far
 * in the future are not releases at all: `isPlausibleId`.)
 */
export function releaseTime(id: string, lastModified: Date): number {
  return Math.max(timeOfId(id), lastModified.getTime());
}

/**
 * The releases that stay, oldest first: the newest `keep`, and with `keepDays` > 0 every release that was live less
 * than `keepDays` days ago too: a release stops being live when the next one is made, so a tab opened this morning
 * on a release made a month ago keeps its files through a burst of deploys.
 */
export function keptReleases(releases: Map<string, Date>, keep: number, age: AgePolicy): string[] {
  const ids = [...releases.keys()].sort();
  const now = age.now ?? Date.now();
  const replacedAt = (i: number) => {
    const next = ids[i + 1];
    return next === undefined ? now : releaseTime(next, releases.get(next) as Date);
  };
  const liveLately = (i: number) => age.keepDays > 0 && now - replacedAt(i) < age.keepDays * DAY_MS;
  return ids.filter((_, i) => i >= ids.length - keep || liveLately(i));
}

/**
 * What pruning removes: an object goes only when no release within the newest `keep` references it and its last
 * release (the newest that references it) is older than `keepDays`, i.e. no kept release references it. Guards:
 * nothing is pruned until some release falls out (objects from before the first release count as release zero),
 * only objects at least as old as the oldest kept manifest (S3's clock) and, with `keepDays`, older than that many
 * days go (a concurrent or failed deploy's fresh uploads stay), and nothing the current release names is ever deleted.
 */
export function prunePlan(
  state: BucketState,
  manifests: Map<string, Manifest>,
  keep: number,
  current: Manifest,
  age: AgePolicy = { keepDays: 0 },
): PrunePlan {
  const ids = [...state.releases.keys()].sort();
  const kept = keptReleases(state.releases, keep, age);
  const none: PrunePlan = { kept, site: [], releases: [], blobs: [] };
  if (ids.length <= kept.length) return none;
  const oldestKept = kept[0] as string;
  const cutoff = state.releases.get(oldestKept)?.getTime() ?? 0;
  const now = age.now ?? Date.now();
  const referenced = new Set<string>(Object.keys(current.files));
  const blobsUsed = new Set<string>();
  for (const id of kept) {
    const m = id === current.id ? current : manifests.get(id);
    if (!m) return none; // a kept manifest could not be read: do not guess
    for (const [rel, f] of Object.entries(m.files)) {
      referenced.add(rel);
      blobsUsed.add(f.md5);
    }
  }
  const old = (d: Date) => d.getTime() <= cutoff && (age.keepDays === 0 || now - d.getTime() >= age.keepDays * DAY_MS);
  const keptSet = new Set(kept);
  return {
    kept,
    site: [...state.site.values()]
      .filter((o) => !referenced.has(o.rel) && old(o.lastModified))
      .map((o) => o.rel)
      .sort(),
    releases: ids.filter((id) => !keptSet.has(id)),
    blobs: [...state.blobs]
      .filter(([md5, d]) => !blobsUsed.has(md5) && old(d))
      .map(([md5]) => md5)
      .sort(),
  };
}
