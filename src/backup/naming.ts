/**
 * Backup object names: `<prefix>/YYYY/MM/<project>_<environment>_<dbname>_YYYYMMDD_HHMMSS.sql.gz`, in UTC.
 * Project and environment never contain `_`, so a name parses back unambiguously (the database name may).
 */
export const BACKUP_SUFFIX = '.sql.gz';

export interface BackupName {
  prefix: string;
  project: string;
  environment: string;
  dbname: string;
  /** When the backup started (UTC, whole seconds). */
  time: Date;
}

/** Project and environment: lowercase letters, digits and `-` (they are `_`-separated in the name). */
export const NAME_PART = /^[a-z0-9][a-z0-9-]*$/;

/** Trims slashes around a prefix: `/backups/` → `backups`, `` stays `` (keys join it with `/`). */
export function trimSlashes(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** A database name made safe for an object key: anything but letters, digits, `_`, `-` and `.` becomes `-`. */
export function safeDbName(dbname: string): string {
  return dbname.replace(/[^A-Za-z0-9_.-]/g, '-') || 'db';
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function backupKey(n: BackupName): string {
  const t = n.time;
  const y = pad(t.getUTCFullYear(), 4);
  const m = pad(t.getUTCMonth() + 1);
  const stamp = `${y}${m}${pad(t.getUTCDate())}_${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
  const prefix = trimSlashes(n.prefix);
  const file = `${n.project}_${n.environment}_${safeDbName(n.dbname)}_${stamp}${BACKUP_SUFFIX}`;
  return `${prefix ? `${prefix}/` : ''}${y}/${m}/${file}`;
}

const KEY =
  /^(?:(.*)\/)?(\d{4})\/(\d{2})\/([a-z0-9][a-z0-9-]*)_([a-z0-9][a-z0-9-]*)_([A-Za-z0-9_.-]+)_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\.sql\.gz$/;

/** Parses a key written by backupKey; undefined for anything else (other files under the prefix are never ours). */
export function parseBackupKey(key: string): BackupName | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const [, prefix = '', dirY, dirM, project, environment, dbname, y, mo, d, h, mi, s] = m as unknown as string[];
  if (dirY !== y || dirM !== mo) return undefined;
  const time = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  // Reject impossible dates (Date.UTC would roll 2025-02-31 over into March).
  if (
    time.getUTCMonth() !== Number(mo) - 1 ||
    time.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  return { prefix, project: project!, environment: environment!, dbname: dbname!, time };
}

/** Whether a key is a backup under the prefix (`backups` matches `backups/2025/...`, never `backups-old/...`). */
export function isUnderPrefix(key: string, prefix: string): boolean {
  const p = trimSlashes(prefix);
  return p === '' || key.startsWith(`${p}/`);
}
