import { describe, expect, it } from '@jest/globals';
import { parseBackupKey } from './naming.js';
import { selectForPrune } from './prune.js';
import type { BackupObject } from './list.js';

const b = (stamp: string): BackupObject => {
  const key = `backups/${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/p_e_d_${stamp}.sql.gz`;
  return { key, size: 1, name: parseBackupKey(key)! };
};

describe('prune selection', () => {
  const all = [b('20260301_000000'), b('20260101_000000'), b('20260310_000000'), b('20251201_000000')];
  const now = new Date('2026-03-15T00:00:00Z');
  it('selects backups older than the cutoff by the time in their name', () => {
    expect(selectForPrune(all, now, 30, 0).map((x) => x.key)).toEqual([
      b('20260101_000000').key,
      b('20251201_000000').key,
    ]);
  });
  it('always keeps the newest ones', () => {
    expect(selectForPrune(all, new Date('2030-01-01Z'), 1, 2).map((x) => x.key)).toEqual([
      b('20260101_000000').key,
      b('20251201_000000').key,
    ]);
    expect(selectForPrune(all, new Date('2030-01-01Z'), 1, 10)).toEqual([]);
  });
});

describe('backup test comparison', () => {
  it('names tables whose counts differ or that are missing', async () => {
    const { compareCounts } = await import('./selftest.js');
    const src = new Map([
      ['public.a', '3'],
      ['public.b', '1'],
      ['auth.users', '2'],
    ]);
    const dst = new Map([
      ['public.a', '3'],
      ['public.b', '0'],
    ]);
    expect(compareCounts(src, dst)).toEqual([
      'public.b (source 1, restored 0)',
      'auth.users (source 2, missing from the restore)',
    ]);
    expect(compareCounts(src, new Map(src))).toEqual([]);
  });
});
