// What the Supabase-mode dump reads from the source's catalogs (one query, in the backup's snapshot).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OpsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import { findPsql } from './pg-tools.js';
import { arr, defaclKind, lit } from './sql-quote.js';
import { PLATFORM_ROLE_PATTERN, PLATFORM_SCHEMAS } from './supabase-platform.js';

const run = promisify(execFile);

export type Flavor = 'supabase' | 'postgres';

/** Platform schemas whose DATA the backup carries (their DDL is the platform's), minus the migration tables. */
export const PLATFORM_DATA_SCHEMAS = ['auth', 'storage'];
export const PLATFORM_MIGRATION_TABLES = ['auth.schema_migrations', 'storage.migrations'];
/** Extensions the platform installs and manages itself (in its own schemas): never created by the backup. */
const PLATFORM_EXTENSIONS = ['plpgsql', 'pg_graphql', 'supabase_vault', 'pgsodium'];

/** Runs one query through psql (password in the environment), in the given snapshot, and returns its single value. */
async function queryValue(conn: PgConnection, sql: string, reporter: Reporter, what: string, snapshot?: string): Promise<string> {
  const inSnapshot = snapshot
    ? ['-c', 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', '-c', `SET TRANSACTION SNAPSHOT ${lit(snapshot)}`]
    : [];
  try {
    // An empty search_path makes pg_get_triggerdef and the policy expressions name every schema.
    const { stdout } = await run(findPsql(), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...inSnapshot, '-c', "SET search_path = ''", '-c', sql, '--dbname', urlWithoutPassword(conn)], {
      env: { ...pgEnv(conn), PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '20' },
      timeout: 120000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message ?? '');
    throw new OpsError(reporter.redact(`psql (${what}): ${stderr.trim().split('\n').find((l) => l.trim()) ?? 'no output'}`));
  }
}

/** A Supabase server: the `auth` schema and the `supabase_admin` role both exist. */
export async function detectFlavor(conn: PgConnection, reporter: Reporter): Promise<Flavor> {
  const v = await queryValue(
    conn,
    "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'auth') AND EXISTS (SELECT FROM pg_roles WHERE rolname = 'supabase_admin')",
    reporter,
    'detecting a Supabase server',
  );
  return v === 't' ? 'supabase' : 'postgres';
}

interface RoleInfo {
  name: string;
  login: boolean;
  inherit: boolean;
  createrole: boolean;
  createdb: boolean;
  connlimit: number;
  validuntil: string | null;
  superuser: boolean;
  bypassrls: boolean;
  replication: boolean;
  config: string[] | null;
}

/** What the Supabase-mode dump needs to know about the source, read from the catalogs in one query. */
export interface SupabaseCatalog {
  /** The user's schemas (not the platform's, not an extension's). */
  appSchemas: string[];
  extensions: { name: string; schema: string }[];
  roles: RoleInfo[];
  memberships: { role: string; member: string; admin: boolean }[];
  /** auth/storage tables and sequences the connecting role may not read (skipped, with a warning). */
  unreadable: string[];
  /** User triggers on platform tables (their function lives outside the platform's schemas). */
  triggers: { table: string; name: string; def: string; enabled: string }[];
  policies: { table: string; name: string; permissive: string; cmd: string; roles: string[]; qual: string | null; check: string | null }[];
  /** Platform tables with row level security on. */
  rls: string[];
  /** Privileges the user's own roles hold on platform tables. */
  grants: { table: string; grantee: string; privilege: string; grantable: boolean }[];
  /** App tables in the supabase_realtime publication (Realtime's change feed). */
  realtime: string[];
  /** Global (not per-schema) default privileges of the dumping role; grantee null is PUBLIC. */
  globalDefaults: { kind: string; grantee: string | null; self: boolean; privilege: string; grantable: boolean }[];
}

export function catalogQuery(): string {
  const platform = arr(PLATFORM_SCHEMAS);
  const data = arr(PLATFORM_DATA_SCHEMAS);
  const rolePattern = lit(PLATFORM_ROLE_PATTERN.source);
  const rel = "format('%I.%I', n.nspname, c.relname)";
  return `SELECT json_build_object(
  'appSchemas', (SELECT coalesce(json_agg(n.nspname ORDER BY n.nspname), '[]') FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname <> ALL (${platform})
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')),
  'extensions', (SELECT coalesce(json_agg(json_build_object('name', e.extname, 'schema', n.nspname) ORDER BY e.extname), '[]')
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> ALL (${arr(PLATFORM_EXTENSIONS)})),
  'roles', (SELECT coalesce(json_agg(json_build_object('name', rolname, 'login', rolcanlogin, 'inherit', rolinherit, 'createrole', rolcreaterole,
      'createdb', rolcreatedb, 'connlimit', rolconnlimit, 'validuntil', rolvaliduntil, 'superuser', rolsuper, 'bypassrls', rolbypassrls,
      'replication', rolreplication, 'config', rolconfig) ORDER BY rolname), '[]')
    FROM pg_roles WHERE rolname !~ ${rolePattern}),
  'memberships', (SELECT coalesce(json_agg(json_build_object('role', r.rolname, 'member', m.rolname, 'admin', am.admin_option) ORDER BY r.rolname, m.rolname), '[]')
    FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
    WHERE r.rolname !~ ${rolePattern} OR m.rolname !~ ${rolePattern}),
  'unreadable', (SELECT coalesce(json_agg(${rel} ORDER BY 1), '[]') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY (${data}) AND c.relkind IN ('r', 'p', 'S') AND NOT has_table_privilege(c.oid, 'SELECT')),
  'triggers', (SELECT coalesce(json_agg(json_build_object('table', ${rel}, 'name', t.tgname, 'def', pg_get_triggerdef(t.oid), 'enabled', t.tgenabled) ORDER BY 1, t.tgname), '[]')
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_proc f ON f.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = f.pronamespace
    WHERE NOT t.tgisinternal AND n.nspname = ANY (${platform}) AND fn.nspname <> ALL (${platform})),
  'policies', (SELECT coalesce(json_agg(json_build_object('table', format('%I.%I', p.schemaname, p.tablename), 'name', p.policyname, 'permissive', p.permissive,
      'cmd', p.cmd, 'roles', p.roles, 'qual', p.qual, 'check', p.with_check) ORDER BY p.schemaname, p.tablename, p.policyname), '[]')
    FROM pg_policies p WHERE p.schemaname = ANY (${platform})),
  'rls', (SELECT coalesce(json_agg(${rel} ORDER BY 1), '[]') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY (${data}) AND c.relrowsecurity),
  'grants', (SELECT coalesce(json_agg(json_build_object('table', ${rel}, 'grantee', r.rolname, 'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY 1, 2, 3), '[]')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
    WHERE n.nspname = ANY (${data}) AND r.rolname !~ ${rolePattern}),
  'globalDefaults', (SELECT coalesce(json_agg(json_build_object('kind', ${defaclKind('d')}, 'grantee', r.rolname, 'self', a.grantee = d.defaclrole,
      'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY 1), '[]')
    FROM pg_default_acl d, aclexplode(d.defaclacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
    WHERE d.defaclrole = current_user::regrole AND d.defaclnamespace = 0),
  'realtime', (SELECT coalesce(json_agg(format('%I.%I', p.schemaname, p.tablename) ORDER BY 1), '[]') FROM pg_publication_tables p
    WHERE p.pubname = 'supabase_realtime' AND p.schemaname <> ALL (${platform}))
)`;
}

export async function readCatalog(conn: PgConnection, reporter: Reporter, snapshot?: string): Promise<SupabaseCatalog> {
  return JSON.parse(await queryValue(conn, catalogQuery(), reporter, 'reading the catalog for a Supabase backup', snapshot)) as SupabaseCatalog;
}

