import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CancelledError, describeError, InputError, OpsError } from '../core/errors.js';
import { recording, type Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { cancellable } from '../core/signals.js';
import { SideBySide } from '../core/side-by-side.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import { createDumpSource, type DumpProducer } from './dump-source.js';
import { humanSize } from '../core/size.js';
import { dumpToS3 } from './dump-upload.js';
import { DRILL_OUTPUTS, drillBackup, type DrillOutcome } from './drill.js';
import type { BackupClients } from './clients.js';
import type { RunInputs } from './inputs.js';
import { checkBackupBucket } from './list.js';
import { MANIFEST_FORMAT, MANIFEST_SUFFIX, writeManifest, type BackupManifest } from './manifest.js';
import { SIDECAR_SUFFIX, toS3Metadata, writeSidecar, type BackupMeta } from './metadata.js';
import { backupKey } from './naming.js';
import {
  choosePgDump,
  findPgDumps,
  formatVersionNum,
  majorOfVersionNum,
  PG_LIB_DIR,
  serverVersionNum,
} from './pg-tools.js';
import { exportSnapshot } from './snapshot.js';
import { detectFlavor, readCatalog, type Flavor } from './supabase-catalog.js';
import { supabaseProducers } from './supabase-dump.js';
import { targetName } from './restore.js';
import { sameDatabase, serverFacts, type ServerFacts } from './server-identity.js';
import { SqlScanner, STREAM_HEADER, STREAM_TRAILER } from './sql-scanner.js';
import { verifyBackup } from './verify.js';

/**
 * Options for tests and benchmarks (not inputs): where to look for pg_dump, the clock, the part size.
 */
export interface BackupOptions {
  pgLibDir?: string;
  now?: () => Date;
  partSize?: number;
  queueSize?: number;
  /** Called with the pid of each dump process (pg_dump) once it runs. */
  onDumpStarted?: (pid: number) => void;
  /** Cancels the backup (default: SIGINT/SIGTERM of this process, see core/signals.ts). */
  signal?: AbortSignal;
}

export interface BackupResult extends BackupMeta, Partial<DrillOutcome> {
  key: string;
  uri: string;
  size: number;
  sha256: string;
  bucket: string;
  manifest: BackupManifest;
}

/** The db-backup action's and `backup run`'s outputs: the stored backup, and the drill's when there was one. */
export const BACKUP_RUN_OUTPUTS: Outputs<BackupResult> = {
  key: (r) => r.key,
  uri: (r) => r.uri,
  size: (r) => r.size,
  sha256: (r) => r.sha256,
  ...DRILL_OUTPUTS,
};

/**
 * Flags our dumps always carry: plain SQL that restores with `gunzip | psql`: no ownership statements (roles
 * differ between servers, and `ALTER ... OWNER TO supabase_admin` needs superuser), GRANT/REVOKE kept (the API
 * roles' rights are part of the app), no publications/subscriptions (supabase_realtime exists already;
 * subscriptions need superuser), every identifier quoted (safe against keywords of newer servers).
 */
export const DUMP_FLAGS = [
  '--format=plain',
  '--no-owner',
  '--no-publications',
  '--no-subscriptions',
  '--quote-all-identifiers',
  '--encoding=UTF8',
];

export function pgDumpArgs(conn: PgConnection, extra: string[]): string[] {
  return [...DUMP_FLAGS, ...extra, `--dbname=${urlWithoutPassword(conn)}`];
}

/**
 * `db-backup` / `backup run`: checks, then dump → gzip → S3 with the manifest counted on the way, the `.sha256` and
 * `.manifest.json` sidecars, verify, and the restore drill when `drill-url` is given. SIGINT/SIGTERM during the dump
 * stop it and abort the upload (exit 130/143).
 */
export async function backupRunJob(
  inputs: RunInputs,
  clients: BackupClients,
  reporter: Reporter,
  opts: BackupOptions = {},
): Promise<BackupResult> {
  if (opts.signal) return backupOnce(inputs, clients, reporter, opts, opts.signal);
  return cancellable('the backup', (signal) => backupOnce(inputs, clients, reporter, opts, signal));
}

async function backupOnce(
  inp: RunInputs,
  { s3 }: BackupClients,
  reporter: Reporter,
  opts: BackupOptions,
  signal: AbortSignal,
): Promise<BackupResult> {
  const { conn } = inp;

  // The checks only read, so they run at once (each psql or pg_dump --version is a process start). The first failure
  // stops the processes of the others (an unreachable database would keep each psql until its connect timeout). The
  // bucket check (one request) is not stopped: when it fails, it is the failure reported, else the first one.
  const checks = new SideBySide(signal);
  const started = {
    bucket: checks.watch(checkBackupBucket(s3, inp.bucket, inp.prefix), { stoppable: false }),
    num: checks.watch(serverVersionNum(conn, reporter, undefined, checks.signal)),
    candidates: checks.watch(findPgDumps(opts.pgLibDir ?? PG_LIB_DIR, checks.signal)),
    facts: checks.watch(serverFacts(conn, reporter, undefined, checks.signal)),
    flavor:
      inp.flavor === 'auto' ? checks.watch(detectFlavor(conn, reporter, checks.signal)) : Promise.resolve(inp.flavor),
  };
  const { pgDump, serverVersion, pgDumpVersion, facts } = await reporter.group(
    'Checking the bucket, the database and pg_dump',
    async () => {
      const [, num, candidates, facts] = await Promise.all([
        started.bucket,
        started.num,
        started.candidates,
        started.facts,
      ]).catch((err: unknown) => checks.fail(err));
      const chosen = choosePgDump(candidates, majorOfVersionNum(num));
      if (inp.drill) {
        // A drill target that is down must not cost the backup: it is checked again when the drill runs.
        const drillFacts = await serverFacts(inp.drill, reporter).catch((err: Error) =>
          reporter.warn(`drill-url not reachable before the dump (${err.message}); backing up anyway`),
        );
        if (drillFacts && sameDatabase(drillFacts.identity, facts.identity)) {
          throw new InputError(
            'drill-url',
            `${targetName(inp.drill)} is the database being backed up (same server and database OID): the drill needs a scratch database`,
          );
        }
      }
      reporter.info(`server: PostgreSQL ${formatVersionNum(num)} at ${conn.host}:${conn.port}/${conn.dbname}`);
      reporter.info(`pg_dump: ${chosen.version} (${chosen.path})`);
      return { pgDump: chosen.path, serverVersion: formatVersionNum(num), pgDumpVersion: chosen.version, facts };
    },
  );

  const flavor = await started.flavor;
  reporter.info(
    flavor === 'supabase'
      ? `Supabase mode${inp.flavor === 'auto' ? ' (detected: auth schema and supabase_admin role)' : ''}: app schemas, custom roles, auth/storage data, user objects on platform tables`
      : 'PostgreSQL mode: the whole database with its privileges',
  );
  // Supabase mode runs several pg_dumps: they share one exported snapshot, so the backup is as consistent as one pg_dump.
  const snapshot = flavor === 'supabase' ? await exportSnapshot(conn, reporter) : undefined;
  try {
    const producers =
      flavor === 'supabase'
        ? supabaseProducers({
            cat: await readCatalog(conn, reporter, snapshot?.id),
            pgDump,
            conn,
            extraArgs: inp.pgDumpArgs,
            baseFlags: DUMP_FLAGS,
            reporter,
            snapshot: snapshot?.id,
          })
        : [
            {
              kind: 'process' as const,
              name: 'pg_dump',
              command: pgDump,
              args: pgDumpArgs(conn, inp.pgDumpArgs),
              env: pgEnv(conn),
            },
          ];
    return await dumpAndRecord(
      inp,
      flavor,
      producers,
      { serverVersion, pgDumpVersion, facts },
      s3,
      reporter,
      opts,
      signal,
    );
  } finally {
    await snapshot?.close();
  }
}

/** dump → gzip → S3, then the checksum file, the optional verification, outputs and summary. */
async function dumpAndRecord(
  inp: RunInputs,
  flavor: Flavor,
  producers: DumpProducer[],
  versions: { serverVersion: string; pgDumpVersion: string; facts: ServerFacts },
  s3: S3Client,
  reporter: Reporter,
  opts: BackupOptions,
  signal: AbortSignal,
): Promise<BackupResult> {
  const { conn } = inp;
  const { serverVersion, pgDumpVersion, facts } = versions;
  const started = (opts.now ?? (() => new Date()))();
  const key = backupKey({
    prefix: inp.prefix,
    project: inp.project,
    environment: inp.environment,
    dbname: conn.dbname,
    time: started,
  });
  const uri = `s3://${inp.bucket}/${key}`;
  const base: BackupMeta = {
    serverVersion,
    pgDumpVersion,
    database: conn.dbname,
    createdAt: started.toISOString(),
    flavor,
  };

  // Our own first and last lines frame the SQL. The source ends only after every producer succeeded, so the closing
  // line is there only when the whole dump is: a restore can tell it from one cut after any pg_dump's own last line.
  const framed: DumpProducer[] = [
    { kind: 'sql', name: 'header', sql: () => `${STREAM_HEADER}\n` },
    ...producers,
    { kind: 'sql', name: 'trailer', sql: () => `\n${STREAM_TRAILER}\n` },
  ];
  const scanner = new SqlScanner({ guard: false });
  const t0 = Date.now();
  const dumped = await reporter.group(`Dumping ${conn.dbname} to ${uri}`, () =>
    dumpToS3({
      s3,
      bucket: inp.bucket,
      key,
      source: createDumpSource(framed, { onProcessStarted: opts.onDumpStarted }),
      onSql: (chunk) => scanner.push(chunk),
      signal,
      level: inp.compressionLevel,
      metadata: toS3Metadata(base),
      reporter,
      partSize: opts.partSize,
      queueSize: opts.queueSize,
    }),
  );
  const seconds = (Date.now() - t0) / 1000;
  reporter.info(
    `dumped ${humanSize(dumped.uncompressedSize)} of SQL into ${humanSize(dumped.compressedSize)} in ${seconds.toFixed(1)}s`,
  );

  for (const p of scanner.problems) reporter.warn(`${uri}: \`backup restore\` will refuse ${p}`);
  const meta: BackupMeta = { ...base, ...dumped };
  const manifest: BackupManifest = {
    format: MANIFEST_FORMAT,
    file: key.split('/').pop() ?? key,
    createdAt: base.createdAt!,
    database: conn.dbname,
    serverVersion,
    pgDumpVersion,
    sha256: dumped.sha256,
    compressedSize: dumped.compressedSize,
    uncompressedSize: dumped.uncompressedSize,
    source: facts.identity,
    settings: { timeZone: facts.timeZone, byteaOutput: facts.byteaOutput },
    tables: scanner.tableData(),
  };
  // A cancel that comes after the upload completed lets the sidecars be written: the backup is whole.
  await recordMeta(s3, inp.bucket, key, meta, manifest, reporter);
  if (signal.aborted) throw signal.reason instanceof CancelledError ? signal.reason : new CancelledError('SIGTERM');

  if (inp.verify)
    await reporter.group('Verifying the stored backup', () => verifyBackup(s3, inp.bucket, key, reporter));

  const stored = {
    key,
    uri,
    bucket: inp.bucket,
    size: dumped.compressedSize,
    ...meta,
    sha256: dumped.sha256,
    manifest,
  };
  reporter.result(
    `Backup stored: ${uri} (${humanSize(dumped.compressedSize)}${inp.verify ? ', verified' : ', not verified'})`,
  );
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  reporter.summary({
    title: 'Database backup',
    table: [
      ['Database', 'Mode', 'Server', 'pg_dump', 'Tables', 'Rows', 'SQL size', 'Stored size', 'Time', 'Verified'],
      [
        conn.dbname,
        flavor,
        serverVersion,
        pgDumpVersion,
        String(manifest.tables.length),
        String(rows),
        humanSize(dumped.uncompressedSize),
        humanSize(dumped.compressedSize),
        `${seconds.toFixed(1)}s`,
        inp.verify ? 'yes' : 'skipped',
      ],
    ],
  });
  // The backup is stored: a drill that fails (or a target that is down) fails the run after that, with its outputs.
  const drill = inp.drill;
  if (!drill) return stored;
  return recording(stored, () =>
    reporter.group(`Restore drill into ${targetName(drill)}`, async () => {
      let result: 'passed' | 'failed' = 'failed';
      let tables = 0;
      try {
        const drilled = await drillBackup({
          s3,
          bucket: inp.bucket,
          key,
          target: drill,
          reporter,
          source: facts.identity,
        });
        tables = drilled.tables.length;
        result = 'passed';
        return { ...stored, drill: drilled.drill, drillTables: drilled.drillTables };
      } finally {
        // The manifest records the drill's result (what `shisha-ops status` shows); best effort, the run's outcome stands.
        await writeManifest(s3, inp.bucket, key, {
          ...manifest,
          drill: { result, at: new Date().toISOString(), tables },
        }).catch((err: unknown) =>
          reporter.warn(`could not record the drill in ${uri}${MANIFEST_SUFFIX}: ${describeError(err)}`),
        );
      }
    }),
  );
}

/**
 * Records sha256 and sizes in the `<key>.sha256` sidecar (see metadata.ts for why not a CopyObject), then the
 * manifest. If that fails the backup is deleted when the credentials allow it: a backup that cannot be verified
 * must not look like a good one.
 */
async function recordMeta(
  s3: S3Client,
  bucket: string,
  key: string,
  meta: BackupMeta,
  manifest: BackupManifest,
  reporter: Reporter,
): Promise<void> {
  let suffix = SIDECAR_SUFFIX;
  try {
    await writeSidecar(s3, bucket, key, meta);
    suffix = MANIFEST_SUFFIX;
    await writeManifest(s3, bucket, key, manifest);
  } catch (err) {
    await s3
      .send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
      .then(() => reporter.warn(`deleted s3://${bucket}/${key}: its checksum could not be recorded`))
      .catch(() => reporter.warn(`s3://${bucket}/${key} is stored without its checksum file: do not rely on it`));
    throw new OpsError(
      `PutObject s3://${bucket}/${key}${suffix} (recording the ${suffix === SIDECAR_SUFFIX ? 'sha256' : 'manifest'}): ${describeError(err)}`,
      { cause: err },
    );
  }
}
