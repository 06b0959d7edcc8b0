import type { BucketState } from './bucket.js';
import type { Manifest } from './releases.js';

export interface PrunePlan {
  /** Release ids kept (newest `keep`). */
  kept: string[];
  /** Site objects (relative keys) to delete. */
  site: string[];
  /** Manifests of releases that fall out of the window. */
  releases: string[];
  /** Rollback blobs (md5) no kept release needs. */
  blobs: string[];
}

/**
 * What pruning removes: objects that no release within the newest `keep` references. Guards: nothing is pruned
 * until there are more than `keep` releases (objects from before the first release count as release zero), only
 * objects at least as old as the oldest kept manifest (S3's clock) go (a concurrent deploy's fresh uploads stay),
 * and nothing the current release names is ever deleted.
 */
export function prunePlan(
  state: BucketState,
  manifests: Map<string, Manifest>,
  keep: number,
  current: Manifest,
): PrunePlan {
  const ids = [...state.releases.keys()].sort();
  const kept = ids.slice(-keep);
  const none: PrunePlan = { kept, site: [], releases: [], blobs: [] };
  if (ids.length <= keep) return none;
  const oldestKept = kept[0] as string;
  const cutoff = state.releases.get(oldestKept)?.getTime() ?? 0;
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
  const old = (d: Date) => d.getTime() <= cutoff;
  return {
    kept,
    site: [...state.site.values()]
      .filter((o) => !referenced.has(o.rel) && old(o.lastModified))
      .map((o) => o.rel)
      .sort(),
    releases: ids.slice(0, -keep),
    blobs: [...state.blobs]
      .filter(([md5, d]) => !blobsUsed.has(md5) && old(d))
      .map(([md5]) => md5)
      .sort(),
  };
}
