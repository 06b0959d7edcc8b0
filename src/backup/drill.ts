import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { bootstrapSupabasePlatform } from './bootstrap.js';
import { InputError, OpsError } from '../core/errors.js';
import { hashingTap } from '../core/hash.js';
import { getBoolean, type InputSource } from '../core/inputs.js';
import { runTool, startTool, ToolFailed } from '../core/process.js';
import { failedWith, recording, type Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import type { BackupClients } from './clients.js';
import { BACKUP_DEFAULTS } from './defaults.js';
import { getDatabaseUrl, parseBackupSelectionInputs, type BackupSelectionInputs } from './inputs.js';
import { selectBackup } from './list.js';
import {
  compareTables,
  describeMismatch,
  readManifest,
  type BackupManifest,
  type TableComparison,
} from './manifest.js';
import { findPsql } from './pg-tools.js';
import { restoreBackup, targetName, withTargetUrlFromEnv } from './restore.js';
import { sameDatabase, serverFacts, type ServerIdentity } from './server-identity.js';
import { PLATFORM_SCHEMAS } from './supabase-platform.js';
import type { TableData } from './sql-scanner.js';

export interface DrillParams {
  s3: S3Client;
  bucket: string;
  key: string;
  target: PgConnection;
  reporter: Reporter;
  /** The live source, when known (after a backup): the target must not be it either. */
  source?: ServerIdentity;
  /** Create Supabase's platform roles and schemas first (a plain PostgreSQL target for a Supabase-mode backup). */
  bootstrap?: boolean;
}

export interface DrillResult extends DrillOutcome {
  passed: boolean;
  tables: TableComparison[];
}

/** A drill's outputs: `drill` (passed or failed) and `drill-tables` (how many tables it compared). */
export interface DrillOutcome {
  drill: 'passed' | 'failed';
  drillTables: number;
}

export const DRILL_OUTPUTS: Outputs<DrillOutcome> = {
  drill: (r) => r.drill,
  'drill-tables': (r) => r.drillTables,
};

/** The relation of a COPY target: `"s"."t" ("a", "b")` → `"s"."t"`. */
const relationOf = (copy: string) => copy.replace(/ \(.*\)$/, '');
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function psqlLines(target: PgConnection, sql: string, reporter: Reporter): Promise<string[]> {
  try {
    const stdout = await runTool(
      findPsql(),
      ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql, '--dbname', urlWithoutPassword(target)],
      { env: pgEnv(target), maxBuffer: 16 * 1024 * 1024, redact: (t) => reporter.redact(t) },
    );
    return stdout.split('\n').filter(Boolean);
  } catch (err) {
    if (!(err instanceof ToolFailed)) throw err;
    throw new OpsError(`psql on ${targetName(target)}: ${err.detail}`);
  }
}

/**
 * Refuses a target that is not a scratch database: one holding tables outside the platform's schemas, or rows in
 * any table the backup fills (auth.users of a used Supabase project, say).
 */
async function checkScratch(target: PgConnection, manifest: BackupManifest, reporter: Reporter): Promise<void> {
  const where = targetName(target);
  const user = await psqlLines(
    target,
    `SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ` +
      `WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT IN (${PLATFORM_SCHEMAS.map(literal).join(', ')}) ORDER BY 1 LIMIT 5`,
    reporter,
  );
  if (user.length)
    throw new InputError(
      'target-url',
      `${where} holds user tables (${user.join(', ')}): a drill restores only into an empty scratch database`,
    );
  if (!manifest.tables.length) return;
  const rels = manifest.tables.map((t) => `(${literal(relationOf(t.copy))})`).join(', ');
  const filled = await psqlLines(
    target,
    `SELECT t.rel FROM (VALUES ${rels}) AS t(rel) WHERE CASE WHEN to_regclass(t.rel) IS NULL THEN false ELSE ` +
      `(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM (SELECT 1 FROM %s LIMIT 1) x', t.rel), false, true, '')))[1]::text::int > 0 END`,
    reporter,
  );
  if (filled.length)
    throw new InputError(
      'target-url',
      `${where} already has rows in ${filled.slice(0, 5).join(', ')}: a drill restores only into an empty scratch database`,
    );
}

/**
 * Row count and sha256 of a table's data on the target, read exactly as pg_dump wrote it: `COPY ... TO STDOUT` with
 * the same columns and the session settings the text depends on (recorded at dump time). A table freshly loaded by
 * COPY is read back in the order it was written (synchronized scans off).
 */
async function tableDataOn(
  target: PgConnection,
  manifest: BackupManifest,
  t: TableData,
  reporter: Reporter,
): Promise<TableData> {
  const settings = [
    `SET TimeZone = ${literal(manifest.settings.timeZone)}`,
    `SET bytea_output = ${literal(manifest.settings.byteaOutput)}`,
    'SET DateStyle = ISO',
    'SET IntervalStyle = postgres',
    'SET extra_float_digits = 3',
    'SET synchronize_seqscans = off',
    'SET row_security = off',
  ].join('; ');
  const psql = startTool(
    findPsql(),
    [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      settings,
      '-c',
      `COPY ${t.copy} TO STDOUT`,
      '--dbname',
      urlWithoutPassword(target),
    ],
    { env: pgEnv(target), redact: (text) => reporter.redact(text) },
  );
  const h = hashingTap();
  let rows = 0;
  const countRows = new Writable({
    write(d: Buffer, _e, cb) {
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) rows++;
      cb();
    },
  });
  await pipeline(psql.stdout, h.tap, countRows);
  const exit = await psql.exited;
  if (exit.code !== 0) throw new OpsError(`reading ${t.name} on ${targetName(target)}: ${psql.failure(exit).detail}`);
  return { ...t, rows, sha256: h.digest() };
}

/** The drill ran to the end and found differences (it carries its outputs; its table is already written). */
class DrillMismatch extends OpsError {}

/**
 * The restore drill: the backup restored into a scratch target with every restore check (scanner, completeness,
 * sha256, manifest), then every table read back from the target and compared with the manifest.
 */
export async function drillBackup(p: DrillParams): Promise<DrillResult> {
  try {
    return await drill(p);
  } catch (err) {
    // Whatever stopped it (an unreachable target, a refused or failed restore), the outputs say the drill failed.
    if (!(err instanceof DrillMismatch)) throw failedWith<DrillOutcome>(err, { drill: 'failed', drillTables: 0 });
    throw err;
  }
}

async function drill(p: DrillParams): Promise<DrillResult> {
  const { s3, bucket, key, target, reporter } = p;
  const where = targetName(target);
  const manifest = await readManifest(s3, bucket, key);
  if (!manifest)
    throw new OpsError(
      `s3://${bucket}/${key} has no .manifest.json: a drill compares against it (backups made before manifests cannot be drilled; use \`backup restore\`)`,
    );
  const facts = await serverFacts(target, reporter);
  if (sameDatabase(facts.identity, manifest.source) || (p.source && sameDatabase(facts.identity, p.source))) {
    throw new InputError(
      'target-url',
      `${where} is the database this backup was taken from (same server and database OID): a drill needs a scratch database`,
    );
  }
  await checkScratch(target, manifest, reporter);
  if (p.bootstrap) await bootstrapSupabasePlatform(target, reporter);
  await restoreBackup({ s3, bucket, key, target, reporter, allowUnverified: false });
  const restored: TableData[] = [];
  for (const t of manifest.tables) restored.push(await tableDataOn(target, manifest, t, reporter));
  const tables = compareTables(manifest.tables, restored);
  const passed = tables.every((t) => t.match);
  const outcome: DrillOutcome = { drill: passed ? 'passed' : 'failed', drillTables: tables.length };
  reporter.summary({
    title: `Restore drill of ${key.split('/').pop()} into ${where}: ${passed ? 'passed' : 'FAILED'}`,
    table: [
      ['Table', 'Rows expected', 'Rows restored', 'Match'],
      ...tables.map((t) => [t.name, String(t.expectedRows ?? '-'), String(t.gotRows ?? '-'), t.match ? 'yes' : 'NO']),
    ],
  });
  if (!passed)
    throw failedWith(
      new DrillMismatch(`restore drill of s3://${bucket}/${key} failed: ${describeMismatch(tables)}`),
      outcome,
    );
  reporter.info(
    `restore drill passed: ${tables.length} table(s) of ${key} restored into ${where} with the same rows and data`,
  );
  return { passed, tables, ...outcome };
}

/** `backup drill --bucket B [--key K] --target-url URL` (target also from TARGET_URL). */
export interface BackupDrillInputs extends BackupSelectionInputs {
  target: PgConnection;
  bootstrap: boolean;
}

export function parseBackupDrillInputs(inputs: InputSource, reporter: Reporter): BackupDrillInputs {
  const target = getDatabaseUrl(withTargetUrlFromEnv(inputs), reporter, 'target-url');
  return {
    ...parseBackupSelectionInputs(inputs),
    target,
    bootstrap: getBoolean(inputs, 'bootstrap', BACKUP_DEFAULTS.bootstrap),
  };
}

export async function backupDrillJob(
  inputs: BackupDrillInputs,
  { s3 }: BackupClients,
  reporter: Reporter,
): Promise<BackupDrillResult> {
  const { bucket, key } = await selectBackup(inputs, s3);
  const drilled = await recording({ key }, () =>
    drillBackup({ s3, bucket, key, target: inputs.target, reporter, bootstrap: inputs.bootstrap }),
  );
  return { key, ...drilled };
}

/** `backup drill`: the backup drilled, and the drill's result. */
export interface BackupDrillResult extends DrillResult {
  key: string;
}
