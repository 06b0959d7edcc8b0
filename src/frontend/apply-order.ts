import pLimit from 'p-limit';
import { ordered, type PlanItem, type Tier } from './plan.js';

/**
 * Applies the items of one tier that change something (deploy and rollback go through the assets, the other files,
 * then the HTML), `concurrency` at a time; the root `index.html` alone, after the rest of its tier.
 */
export async function applyInOrder(
  items: PlanItem[],
  tier: Tier,
  concurrency: number,
  apply: (item: PlanItem) => Promise<void>,
): Promise<void> {
  const batch = ordered(items).filter((i) => i.tier === tier);
  const root = batch.filter((i) => i.file.rel === 'index.html');
  const limit = pLimit(concurrency);
  for (const part of [batch.filter((i) => !root.includes(i)), root])
    await Promise.all(part.map((i) => limit(() => apply(i))));
}
