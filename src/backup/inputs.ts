import { InputError } from '../core/errors.js';
import { getBoolean, getInt, getString, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { checkBucketName } from '../core/s3.js';
import { secretsOfUrl } from '../core/secrets.js';
import { checkPgDumpArgs, checkScratchDumpArgs, splitArgs } from './args.js';
import { parseDatabaseUrl, type PgConnection } from './database-url.js';
import { BACKUP_DEFAULTS as DEFAULTS } from './defaults.js';
import { NAME_PART, trimSlashes } from './naming.js';

export const FLAVORS = ['auto', 'supabase', 'postgres'] as const;
export type FlavorInput = (typeof FLAVORS)[number];

export function getBucket(src: InputSource): string {
  return checkBucketName('bucket', getString(src, 'bucket', { required: true }));
}

/**
 * The key prefix (input `prefix`, or e.g. `backup-prefix` where the bucket is not only for backups), slashes around
 * it trimmed. Refused: the bucket's root (`/`, empty), `.`/`..` segments, empty
 * segments and characters outside letters, digits, `.`, `_`, `-` and `/`: a backup must land under a prefix that
 * the bucket's lifecycle rule and the backup role's permissions cover (`backups/` by default), never beside it.
 */
export function getPrefix(src: InputSource, name = 'prefix'): string {
  const raw = getString(src, name, { default: DEFAULTS.prefix });
  const p = trimSlashes(raw);
  const segments = p.split('/');
  if (!p || segments.some((s) => s === '' || s === '.' || s === '..') || !/^[A-Za-z0-9._/-]+$/.test(p)) {
    throw new InputError(
      name,
      `expected a folder such as 'backups' or 'backups/staging' (no '..', '.', '//' or bucket root), got '${raw.slice(0, 100)}'`,
    );
  }
  return p;
}

/** A part of the object name; `project` has no default (it names the user's app), `environment` has one. */
function namePart(src: InputSource, name: string, dflt?: string): string {
  const v = getString(src, name, dflt === undefined ? { required: true } : { default: dflt });
  if (!NAME_PART.test(v))
    throw new InputError(
      name,
      `expected lowercase letters, digits and '-' (it is '_'-separated in object names), got '${v}'`,
    );
  return v;
}

/**
 * A database URL input: registered as a secret (the URL and its password) before anything else can print it,
 * then parsed. Errors never quote it.
 */
export function getDatabaseUrl(src: InputSource, reporter: Reporter, name: string): PgConnection {
  const raw = (src(name) ?? '').trim();
  for (const s of secretsOfUrl(raw)) reporter.secret(s);
  if (!raw) throw new InputError(name, 'is required and was empty');
  return parseDatabaseUrl(raw, name);
}

export interface RunInputs {
  conn: PgConnection;
  bucket: string;
  prefix: string;
  project: string;
  environment: string;
  compressionLevel: number;
  pgDumpArgs: string[];
  verify: boolean;
  /** Scratch database for the restore drill after the backup (optional). */
  drill?: PgConnection;
  /** What to dump: auto (detect a Supabase server), supabase, or postgres (the whole database). */
  flavor: FlavorInput;
}

export function getFlavor(src: InputSource): FlavorInput {
  const v = getString(src, 'flavor', { default: DEFAULTS.flavor }).toLowerCase();
  if (!(FLAVORS as readonly string[]).includes(v))
    throw new InputError('flavor', `expected one of ${FLAVORS.join(', ')}, got '${v}'`);
  return v as FlavorInput;
}

export function parseBackupRunInputs(src: InputSource, reporter: Reporter): RunInputs {
  const conn = getDatabaseUrl(src, reporter, 'database-url');
  const pgDumpArgs = splitArgs(src('pg-dump-args') ?? '');
  checkPgDumpArgs(pgDumpArgs);
  const drill = (src('drill-url') ?? '').trim() ? getDatabaseUrl(src, reporter, 'drill-url') : undefined;
  if (drill) checkScratchDumpArgs(pgDumpArgs);
  return {
    drill,
    conn,
    bucket: getBucket(src),
    prefix: getPrefix(src),
    project: namePart(src, 'project'),
    environment: namePart(src, 'environment', DEFAULTS.environment),
    compressionLevel: getInt(src, 'compression-level', { default: DEFAULTS['compression-level'], min: 1, max: 9 }),
    pgDumpArgs,
    verify: getBoolean(src, 'verify', DEFAULTS.verify),
    flavor: getFlavor(src),
  };
}

/** Where the backups are: bucket, prefix, and the optional project/environment filters. */
export interface BackupLocationInputs {
  bucket: string;
  prefix: string;
  filter: { project?: string; environment?: string };
}

export function parseBackupLocationInputs(src: InputSource): BackupLocationInputs {
  const bucket = getBucket(src);
  const prefix = getPrefix(src);
  return { bucket, prefix, filter: getFilters(src) };
}

/** The backup a command works on: `key`, or (empty) the newest one of the location. */
export interface BackupSelectionInputs extends BackupLocationInputs {
  key: string;
}

export function parseBackupSelectionInputs(src: InputSource): BackupSelectionInputs {
  return { ...parseBackupLocationInputs(src), key: getString(src, 'key') };
}

/** Optional filters of list/prune/latest: project and environment when given. */
export function getFilters(src: InputSource): { project?: string; environment?: string } {
  const out: { project?: string; environment?: string } = {};
  for (const name of ['project', 'environment'] as const) {
    const v = getString(src, name);
    if (!v) continue;
    if (!NAME_PART.test(v)) throw new InputError(name, `expected lowercase letters, digits and '-', got '${v}'`);
    out[name] = v;
  }
  return out;
}
