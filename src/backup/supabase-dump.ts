import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import type { DumpProducer } from './dump-source.js';
import { ident } from './sql-quote.js';
import { PLATFORM_DATA_SCHEMAS, PLATFORM_MIGRATION_TABLES, type SupabaseCatalog } from './supabase-catalog.js';
import {
  extensionsSql,
  globalDefaultPrivilegesSql,
  ownersSql,
  platformObjectsSql,
  resetDefaultPrivilegesSql,
  rewriteSchemaLine,
  rolesSql,
} from './supabase-sql.js';

/**
 * The producers of a Supabase-mode backup, in restore order:
 *  1. ours: the user's roles (no passwords) and memberships, extensions, an empty slate of default privileges;
 *  2. pg_dump --section=pre-data of the app schemas (schemas, types, functions, tables, views, sequences, ACLs);
 *  3. the data of the app schemas and of auth/storage (minus their migration tables) as COPY blocks, loaded with
 *     session_replication_role = replica so that no trigger (the platform's or the user's) fires on restored rows;
 *  4. ours: the owners of app objects that are the user's roles; the user's triggers, policies, RLS and grants on
 *     platform tables, schemas and routines, and the Realtime publication, which no schema filter of pg_dump can
 *     reach (supabase db dump loses them);
 *  5. pg_dump --section=post-data (indexes, constraints, foreign keys, triggers, RLS, policies, default privileges).
 */
export function supabaseProducers(o: {
  cat: SupabaseCatalog;
  pgDump: string;
  conn: PgConnection;
  extraArgs: string[];
  baseFlags: string[];
  reporter: Reporter;
  /** A snapshot every pg_dump shares (see snapshot.ts), so the parts agree with each other. */
  snapshot?: string;
}): DumpProducer[] {
  const { cat, conn } = o;
  const env = pgEnv(conn);
  const db = `--dbname=${urlWithoutPassword(conn)}`;
  const schemas = cat.appSchemas.map((s) => `--schema=${ident(s)}`);
  const skip = [...PLATFORM_MIGRATION_TABLES, ...cat.unreadable].map((t) => `--exclude-table=${t}`);
  for (const t of cat.unreadable) o.reporter.warn(`${t}: not readable by ${conn.user}, its rows are not in the backup`);
  const dump = (name: string, args: string[], rewrite?: boolean): DumpProducer => ({
    kind: 'process',
    name,
    command: o.pgDump,
    args: [...o.baseFlags, ...(o.snapshot ? [`--snapshot=${o.snapshot}`] : []), ...args, ...o.extraArgs, db],
    env,
    ...(rewrite ? { rewriteLine: rewriteSchemaLine } : {}),
  });
  // No app schema at all (not even public): the schema parts are left out (pg_dump without --schema would dump everything).
  const schemaPart = (p: DumpProducer): DumpProducer[] => (schemas.length ? [p] : []);
  return [
    {
      kind: 'sql',
      name: 'roles and extensions',
      sql: () =>
        `-- shisha-ops Supabase backup of ${conn.dbname}: restore with gunzip -c FILE | psql -v ON_ERROR_STOP=1 --single-transaction "$DATABASE_URL"\n` +
        `-- into a fresh Supabase project (as postgres), or into plain PostgreSQL after shisha-ops backup restore --bootstrap.\n` +
        rolesSql(cat, o.reporter) +
        extensionsSql(cat) +
        resetDefaultPrivilegesSql(cat.appSchemas),
    },
    ...schemaPart(dump('pg_dump (schema)', ['--section=pre-data', ...schemas], true)),
    {
      kind: 'sql',
      name: 'data header',
      sql: () => '-- Data: no trigger fires on restored rows.\nSET session_replication_role = replica;\n',
    },
    // -b: with --schema, pg_dump leaves large objects out unless asked; with --data-only it writes them whole
    // (lo_create, comment, grant, data).
    dump('pg_dump (data)', [
      '--data-only',
      '-b',
      ...schemas,
      ...PLATFORM_DATA_SCHEMAS.map((s) => `--schema=${s}`),
      ...skip,
    ]),
    {
      kind: 'sql',
      name: 'platform tables',
      sql: () =>
        'SET session_replication_role = DEFAULT;\n' +
        ownersSql(cat) +
        platformObjectsSql(cat) +
        globalDefaultPrivilegesSql(cat),
    },
    // Last, so that the file ends with pg_dump's own "dump complete" trailer (verify and the drill check it).
    ...schemaPart(dump('pg_dump (constraints, triggers, policies)', ['--section=post-data', ...schemas], true)),
  ];
}
