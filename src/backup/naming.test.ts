import { describe, expect, it } from '@jest/globals';
import { backupKey, isUnderPrefix, trimSlashes, parseBackupKey, safeDbName } from './naming.js';

const t = new Date(Date.UTC(2026, 0, 5, 0, 0, 7));

describe('backup object names', () => {
  it('are <prefix>/YYYY/MM/<project>_<environment>_<dbname>_YYYYMMDD_HHMMSS.sql.gz in UTC', () => {
    expect(
      backupKey({ prefix: 'backups', project: 'shisha-log', environment: 'prod', dbname: 'postgres', time: t }),
    ).toBe('backups/2026/01/shisha-log_prod_postgres_20260105_000007.sql.gz');
    // 09:00 JST on Monday is 00:00 UTC: the name follows UTC, not the local zone.
    const jst = new Date('2026-01-05T09:00:00+09:00');
    expect(backupKey({ prefix: '/b/', project: 'p', environment: 'e', dbname: 'd', time: jst })).toBe(
      'b/2026/01/p_e_d_20260105_000000.sql.gz',
    );
    expect(backupKey({ prefix: '', project: 'p', environment: 'e', dbname: 'd', time: t })).toBe(
      '2026/01/p_e_d_20260105_000007.sql.gz',
    );
  });

  it('parse back, including database names with underscores and nested prefixes', () => {
    const key = backupKey({
      prefix: 'db/backups',
      project: 'shisha-log',
      environment: 'stg-2',
      dbname: 'shisha_log_db',
      time: t,
    });
    expect(parseBackupKey(key)).toEqual({
      prefix: 'db/backups',
      project: 'shisha-log',
      environment: 'stg-2',
      dbname: 'shisha_log_db',
      time: t,
    });
    expect(parseBackupKey('2026/01/p_e_d_20260105_000007.sql.gz')?.prefix).toBe('');
  });

  it('reject anything else under the prefix', () => {
    for (const k of [
      'backups/README.txt',
      'backups/2026/01/p_e_d_20260105_000007.sql',
      'backups/2026/01/p_e_d_20260105_000007.sql.gz.meta.json',
      'backups/2026/02/p_e_d_20260105_000007.sql.gz', // folder month differs from the stamp
      'backups/2026/02/p_e_d_20260231_000007.sql.gz', // no 31 February
      'backups/2026/01/p_e_d_20260105_250007.sql.gz',
      'backups/2026/01/P_e_d_20260105_000007.sql.gz',
    ]) {
      expect(parseBackupKey(k)).toBeUndefined();
    }
  });

  it('make database names key-safe and normalise prefixes', () => {
    expect(safeDbName('my db/ü')).toBe('my-db--');
    expect(trimSlashes('//a/b//')).toBe('a/b');
    expect(isUnderPrefix('backups/2026/x', 'backups')).toBe(true);
    expect(isUnderPrefix('backups-old/2026/x', 'backups')).toBe(false);
  });
});
