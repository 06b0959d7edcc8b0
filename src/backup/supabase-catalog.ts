// What the Supabase-mode dump reads from the source's catalogs (one query, in the backup's snapshot).
import { OpsError } from '../core/errors.js';
import { runTool, ToolFailed } from '../core/process.js';
import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import { connectFailed, findPsql } from './pg-tools.js';
import { arr, defaclKind, lit } from './sql-quote.js';
import {
  KNOWN_PLATFORM_ROLES,
  PLATFORM_ROLE_PATTERN,
  PLATFORM_SCHEMAS,
  SETTABLE_PLATFORM_ROLES,
} from './supabase-platform.js';

export type Flavor = 'supabase' | 'postgres';

/** Platform schemas whose DATA the backup carries (their DDL is the platform's), minus the migration tables. */
export const PLATFORM_DATA_SCHEMAS = ['auth', 'storage'];
export const PLATFORM_MIGRATION_TABLES = ['auth.schema_migrations', 'storage.migrations'];
/** Extensions the platform installs and manages itself (in its own schemas): never created by the backup. */
const PLATFORM_EXTENSIONS = ['plpgsql', 'pg_graphql', 'supabase_vault', 'pgsodium'];

/** Runs one query through psql (password in the environment), in the given snapshot, and returns its single value. */
async function queryValue(
  conn: PgConnection,
  sql: string,
  reporter: Reporter,
  what: string,
  snapshot?: string,
  signal?: AbortSignal,
): Promise<string> {
  const inSnapshot = snapshot
    ? ['-c', 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', '-c', `SET TRANSACTION SNAPSHOT ${lit(snapshot)}`]
    : [];
  try {
    // An empty search_path makes pg_get_triggerdef and the policy expressions name every schema.
    const stdout = await runTool(
      findPsql(),
      [
        '-X',
        '-q',
        '-A',
        '-t',
        '-v',
        'ON_ERROR_STOP=1',
        ...inSnapshot,
        '-c',
        "SET search_path = ''",
        '-c',
        sql,
        '--dbname',
        urlWithoutPassword(conn),
      ],
      {
        env: { ...pgEnv(conn), PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '20' },
        timeoutMs: 120000,
        signal,
        maxBuffer: 64 * 1024 * 1024,
        redact: (t) => reporter.redact(t),
      },
    );
    return stdout.trim();
  } catch (err) {
    if (!(err instanceof ToolFailed) || err.cancelled) throw err;
    throw new OpsError(`${connectFailed(err)}psql (${what}): ${err.detail}`);
  }
}

/** A Supabase server: the `auth` schema and the `supabase_admin` role both exist. */
export async function detectFlavor(conn: PgConnection, reporter: Reporter, signal?: AbortSignal): Promise<Flavor> {
  const v = await queryValue(
    conn,
    "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'auth') AND EXISTS (SELECT FROM pg_roles WHERE rolname = 'supabase_admin')",
    reporter,
    'detecting a Supabase server',
    undefined,
    signal,
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
  /**
   * User triggers on platform tables: their function lives outside the platform's schemas, or is an extension's
   * (extensions.moddatetime); the platform's own call the platform's functions. Tables of extensions are left out.
   */
  triggers: { table: string; name: string; def: string; enabled: string }[];
  policies: {
    table: string;
    name: string;
    permissive: string;
    cmd: string;
    roles: string[];
    qual: string | null;
    check: string | null;
    comment: string | null;
  }[];
  /** Platform tables with row level security on. */
  rls: string[];
  /** Privileges the user's own roles hold on platform tables and sequences (kind TABLE or SEQUENCE), and on their columns. */
  grants: { kind: string; table: string; grantee: string; privilege: string; grantable: boolean }[];
  columnGrants: { table: string; column: string; grantee: string; privilege: string; grantable: boolean }[];
  /** Privileges the user's own roles hold on platform schemas (storage, auth, ...) and on auth/storage routines. */
  schemaGrants: { schema: string; grantee: string; privilege: string; grantable: boolean }[];
  routineGrants: { routine: string; grantee: string; privilege: string; grantable: boolean }[];
  /** App tables in the supabase_realtime publication (Realtime's change feed), with their column lists and row filters. */
  realtime: { table: string; columns: string[] | null; where: string | null }[];
  /** App objects owned by the user's own roles (pg_dump runs with --no-owner: everything else is the restoring role's). */
  owners: { kind: string; name: string; owner: string }[];
  /** Settings of the platform roles whose settings \`postgres\` may change on the platform (anon, authenticated, ...). */
  platformRoleSettings: { name: string; config: string[] }[];
  /** The user's roles whose names look like the platform's (supabase_reader) but are no known platform role (in roles too). */
  lookalikeRoles: string[];
  /** Global (not per-schema) default privileges of the dumping role; grantee null is PUBLIC. */
  globalDefaults: { kind: string; grantee: string | null; self: boolean; privilege: string; grantable: boolean }[];
}

export function catalogQuery(): string {
  const platform = arr(PLATFORM_SCHEMAS);
  const data = arr(PLATFORM_DATA_SCHEMAS);
  const rolePattern = lit(PLATFORM_ROLE_PATTERN.source);
  const rel = "format('%I.%I', n.nspname, c.relname)";
  // The user's roles: not the platform's by name. One whose name only looks like the platform's (supabase_reader)
  // is the user's too (carried, with a warning: see lookalikeRoles).
  const userRole = (col: string) =>
    `(${col} !~ ${rolePattern} OR (${col} <> ALL (${arr(KNOWN_PLATFORM_ROLES)}) AND ${col} !~ '^(cli_login_|pgsodium_|pg_)'))`;
  const appSchemasExpr = `SELECT n.nspname FROM pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> ALL (${platform})
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')`;
  return `SELECT json_build_object(
  'appSchemas', (SELECT coalesce(json_agg(nspname ORDER BY nspname), '[]') FROM (${appSchemasExpr}) s),
  'extensions', (WITH RECURSIVE deps(oid, depth) AS (
      SELECT oid, 0 FROM pg_extension
      UNION ALL SELECT d.objid, deps.depth + 1 FROM deps JOIN pg_depend d
        ON d.classid = 'pg_extension'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = deps.oid AND deps.depth < 20)
    SELECT coalesce(json_agg(json_build_object('name', e.extname, 'schema', n.nspname) ORDER BY x.depth, e.extname), '[]')
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace JOIN (SELECT oid, max(depth) AS depth FROM deps GROUP BY oid) x ON x.oid = e.oid
    WHERE e.extname <> ALL (${arr(PLATFORM_EXTENSIONS)})),
  'roles', (SELECT coalesce(json_agg(json_build_object('name', rolname, 'login', rolcanlogin, 'inherit', rolinherit, 'createrole', rolcreaterole,
      'createdb', rolcreatedb, 'connlimit', rolconnlimit, 'validuntil', rolvaliduntil, 'superuser', rolsuper, 'bypassrls', rolbypassrls,
      'replication', rolreplication, 'config', rolconfig) ORDER BY rolname), '[]')
    FROM pg_roles WHERE ${userRole('rolname')}),
  'memberships', (SELECT coalesce(json_agg(json_build_object('role', r.rolname, 'member', m.rolname, 'admin', am.admin_option) ORDER BY r.rolname, m.rolname), '[]')
    FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
    WHERE ${userRole('r.rolname')} OR ${userRole('m.rolname')}),
  'unreadable', (SELECT coalesce(json_agg(${rel} ORDER BY 1), '[]') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY (${data}) AND c.relkind IN ('r', 'p', 'S') AND NOT has_table_privilege(c.oid, 'SELECT')
      AND ${rel} <> ALL (${arr(PLATFORM_MIGRATION_TABLES)})),
  'triggers', (SELECT coalesce(json_agg(json_build_object('table', ${rel}, 'name', t.tgname, 'def', pg_get_triggerdef(t.oid), 'enabled', t.tgenabled) ORDER BY 1, t.tgname), '[]')
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_proc f ON f.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = f.pronamespace
    WHERE NOT t.tgisinternal AND n.nspname = ANY (${platform})
      AND (fn.nspname <> ALL (${platform}) OR EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = f.oid AND d.deptype = 'e'))
      -- an extension's own table (cron.job, pgsodium.key) has the extension's triggers: never the user's
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')),
  'policies', (SELECT coalesce(json_agg(json_build_object('table', format('%I.%I', p.schemaname, p.tablename), 'name', p.policyname, 'permissive', p.permissive,
      'cmd', p.cmd, 'roles', p.roles, 'qual', p.qual, 'check', p.with_check, 'comment', obj_description(pol.oid, 'pg_policy'))
      ORDER BY p.schemaname, p.tablename, p.policyname), '[]')
    FROM pg_policies p JOIN pg_namespace pn ON pn.nspname = p.schemaname JOIN pg_class pc ON pc.relnamespace = pn.oid AND pc.relname = p.tablename
    JOIN pg_policy pol ON pol.polrelid = pc.oid AND pol.polname = p.policyname
    WHERE p.schemaname = ANY (${platform})),
  'rls', (SELECT coalesce(json_agg(${rel} ORDER BY 1), '[]') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY (${data}) AND c.relrowsecurity),
  'grants', (SELECT coalesce(json_agg(json_build_object('kind', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, 'table', ${rel},
      'grantee', r.rolname, 'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY ${rel}, r.rolname, a.privilege_type), '[]')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
    WHERE n.nspname = ANY (${data}) AND ${userRole('r.rolname')}),
  'columnGrants', (SELECT coalesce(json_agg(json_build_object('table', ${rel}, 'column', att.attname, 'grantee', r.rolname, 'privilege', a.privilege_type,
      'grantable', a.is_grantable) ORDER BY ${rel}, att.attnum, r.rolname, a.privilege_type), '[]')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute att ON att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped,
      aclexplode(att.attacl) a JOIN pg_roles r ON r.oid = a.grantee
    WHERE n.nspname = ANY (${data}) AND ${userRole('r.rolname')}),
  'schemaGrants', (SELECT coalesce(json_agg(json_build_object('schema', n.nspname, 'grantee', r.rolname, 'privilege', a.privilege_type, 'grantable', a.is_grantable)
      ORDER BY n.nspname, r.rolname, a.privilege_type), '[]')
    FROM pg_namespace n, aclexplode(n.nspacl) a JOIN pg_roles r ON r.oid = a.grantee
    WHERE n.nspname = ANY (${platform}) AND ${userRole('r.rolname')}),
  'routineGrants', (SELECT coalesce(json_agg(json_build_object('routine', f.oid::regprocedure::text, 'grantee', r.rolname, 'privilege', a.privilege_type,
      'grantable', a.is_grantable) ORDER BY f.oid::regprocedure::text, r.rolname), '[]')
    FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace, aclexplode(f.proacl) a JOIN pg_roles r ON r.oid = a.grantee
    WHERE n.nspname = ANY (${data}) AND ${userRole('r.rolname')}),
  'owners', (SELECT coalesce(json_agg(json_build_object('kind', o.kind, 'name', o.name, 'owner', r.rolname) ORDER BY o.ord, o.name), '[]') FROM (
      SELECT 0 AS ord, n.oid, 'SCHEMA' AS kind, quote_ident(n.nspname) AS name, n.nspowner AS owner FROM pg_namespace n WHERE n.nspname IN (${appSchemasExpr})
      UNION ALL SELECT 1, c.oid, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
        ${rel}, c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN (${appSchemasExpr}) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          -- a sequence owned by a column follows its table (and may not be given away alone)
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND c.relkind = 'S')
      UNION ALL SELECT 1, f.oid, CASE f.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, f.oid::regprocedure::text, f.proowner
        FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace WHERE n.nspname IN (${appSchemasExpr})
      UNION ALL SELECT 1, t.oid, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text, t.typowner
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname IN (${appSchemasExpr}) AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
    ) o JOIN pg_roles r ON r.oid = o.owner
    WHERE ${userRole('r.rolname')} AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = o.oid AND d.deptype = 'e')),
  'platformRoleSettings', (SELECT coalesce(json_agg(json_build_object('name', rolname, 'config', rolconfig) ORDER BY rolname), '[]')
    FROM pg_roles WHERE rolname = ANY (${arr(SETTABLE_PLATFORM_ROLES)}) AND rolconfig IS NOT NULL),
  'lookalikeRoles', (SELECT coalesce(json_agg(rolname ORDER BY rolname), '[]') FROM pg_roles
    WHERE rolname ~ ${rolePattern} AND ${userRole('rolname')}),
  'globalDefaults', (SELECT coalesce(json_agg(json_build_object('kind', ${defaclKind('d')}, 'grantee', r.rolname, 'self', a.grantee = d.defaclrole,
      'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY 1), '[]')
    FROM pg_default_acl d, aclexplode(d.defaclacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
    WHERE d.defaclrole = current_user::regrole AND d.defaclnamespace = 0),
  'realtime', (SELECT coalesce(json_agg(json_build_object('table', ${rel},
      'columns', (SELECT json_agg(att.attname ORDER BY k.i) FROM unnest(pr.prattrs::int2[]) WITH ORDINALITY k(attnum, i)
        JOIN pg_attribute att ON att.attrelid = c.oid AND att.attnum = k.attnum),
      'where', pg_get_expr(pr.prqual, pr.prrelid)) ORDER BY ${rel}), '[]')
    FROM pg_publication_rel pr JOIN pg_publication pb ON pb.oid = pr.prpubid JOIN pg_class c ON c.oid = pr.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE pb.pubname = 'supabase_realtime' AND n.nspname <> ALL (${platform}))
)`;
}

export async function readCatalog(conn: PgConnection, reporter: Reporter, snapshot?: string): Promise<SupabaseCatalog> {
  return JSON.parse(
    await queryValue(conn, catalogQuery(), reporter, 'reading the catalog for a Supabase backup', snapshot),
  ) as SupabaseCatalog;
}
