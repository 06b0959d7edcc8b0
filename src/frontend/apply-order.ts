import pMap from 'p-map';
import { ordered, type PlanItem, type Tier } from './plan.js';

/**
 * Applies the items of one tier that change something (deploy and rollback go through the assets, the other files,
 * then the HTML), `concurrency` at a time (none started after a failure); the root `index.html` alone, after the rest of its tier.
 */
export async function applyInOrder(
  items: PlanItem[],
  tier: Tier,
  concurrency: number,
  apply: (item: PlanItem) => Promise<void>,
): Promise<void> {
  const batch = ordered(items).filter((i) => i.tier === tier);
  const root = batch.filter((i) => i.file.rel === 'index.html');
  // p-map pulls the next item as a slot frees up and starts none after a failure.
  for (const part of [batch.filter((i) => !root.includes(i)), root]) await pMap(part, apply, { concurrency });
}
