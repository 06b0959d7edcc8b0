import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OpsError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import type { DumpProducer } from './dump-source.js';
import { findPsql } from './pg-tools.js';
import { PLATFORM_ROLE_PATTERN, PLATFORM_SCHEMAS } from './supabase-platform.js';

const run = promisify(execFile);
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export type Flavor = 'supabase' | 'postgres';

/** Platform schemas whose DATA the backup carries (their DDL is the platform's), minus the migration tables. */
export const PLATFORM_DATA_SCHEMAS = ['auth', 'storage'];
export const PLATFORM_MIGRATION_TABLES = ['auth.schema_migrations', 'storage.migrations'];
/** Extensions a fresh project has already (never created by the backup). */
const PLATFORM_EXTENSIONS = ['plpgsql', 'pg_graphql', 'pg_stat_statements', 'pgcrypto', 'uuid-ossp', 'supabase_vault', 'pgsodium', 'pgjwt'];

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

export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const arr = (xs: string[]) => `ARRAY[${xs.map(lit).join(', ')}]::text[]`;

const kindOf = (t: string) => `CASE ${t}.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END`;

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
  'globalDefaults', (SELECT coalesce(json_agg(json_build_object('kind', ${kindOf('d')}, 'grantee', r.rolname, 'self', a.grantee = d.defaclrole,
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

/** CREATE ROLE for each role the user made (no passwords: set them again after a restore), with memberships. */
export function rolesSql(cat: SupabaseCatalog, reporter?: Reporter): string {
  const out: string[] = ['-- Roles the user created (without passwords), and their memberships.'];
  for (const r of cat.roles) {
    const skipped = [r.superuser && 'SUPERUSER', r.bypassrls && 'BYPASSRLS', r.replication && 'REPLICATION'].filter(Boolean);
    if (skipped.length) reporter?.warn(`role ${r.name}: ${skipped.join(', ')} is not restored (only a superuser may grant it)`);
    out.push(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${lit(r.name)}) THEN CREATE ROLE ${ident(r.name)}; END IF; END $$;`);
    const attrs = [
      r.login ? 'LOGIN' : 'NOLOGIN',
      r.inherit ? 'INHERIT' : 'NOINHERIT',
      r.createrole ? 'CREATEROLE' : 'NOCREATEROLE',
      r.createdb ? 'CREATEDB' : 'NOCREATEDB',
      `CONNECTION LIMIT ${Number(r.connlimit)}`,
      r.validuntil ? `VALID UNTIL ${lit(r.validuntil)}` : '',
    ].filter(Boolean);
    out.push(`ALTER ROLE ${ident(r.name)} WITH ${attrs.join(' ')};`);
    for (const c of r.config ?? []) {
      const eq = c.indexOf('=');
      out.push(`ALTER ROLE ${ident(r.name)} SET ${ident(c.slice(0, eq))} = ${lit(c.slice(eq + 1))};`);
    }
  }
  for (const m of cat.memberships) {
    const grant = `GRANT ${ident(m.role)} TO ${ident(m.member)}${m.admin ? ' WITH ADMIN OPTION' : ''}`;
    // The platform's own roles (authenticator, ...) may be reserved: granting them a role is tried, not required.
    out.push(PLATFORM_ROLE_PATTERN.test(m.member) ? tryStatement(grant, `${m.role} granted to ${m.member}`) : `${grant};`);
  }
  return out.join('\n') + '\n';
}

/** Extensions the user enabled (the platform's own exist in every project). */
export function extensionsSql(cat: SupabaseCatalog): string {
  const out: string[] = [];
  for (const e of cat.extensions) {
    if (!PLATFORM_SCHEMAS.includes(e.schema) && e.schema !== 'public') out.push(`CREATE SCHEMA IF NOT EXISTS ${ident(e.schema)};`);
    out.push(`CREATE EXTENSION IF NOT EXISTS ${ident(e.name)} WITH SCHEMA ${ident(e.schema)};`);
  }
  return out.length ? `-- Extensions the user enabled.\n${out.join('\n')}\n` : '';
}

const GRANTEE = `CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident((SELECT rolname FROM pg_roles WHERE oid = a.grantee)) END`;

/**
 * A fresh project's default privileges would grant the API roles everything the restore creates (and a REVOKE in
 * the source would come back as a grant). So the restoring role's default privileges are set aside first: those in
 * the app schemas are removed (the dump's own ALTER DEFAULT PRIVILEGES, in its post-data part, set them as in the
 * source), the global ones go back to PostgreSQL's built-in defaults until globalDefaultPrivilegesSql sets the
 * source's once every object exists (pg_dump of chosen schemas does not carry them).
 */
export function resetDefaultPrivilegesSql(appSchemas: string[]): string {
  return `-- Objects are created without the target's default privileges; the source's come back with the dump's post-data part.
DO $$
DECLARE
  d record;
  a record;
  kind text;
BEGIN
  FOR d IN SELECT defaclnamespace, defaclobjtype, defaclacl FROM pg_default_acl
    WHERE defaclrole = current_user::regrole
      AND (defaclnamespace = 0 OR (SELECT nspname FROM pg_namespace WHERE oid = defaclnamespace) = ANY (${arr(appSchemas)}))
  LOOP
    kind := ${kindOf('d')};
    FOR a IN SELECT DISTINCT x.grantee FROM aclexplode(d.defaclacl) x LOOP
      EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I %s REVOKE ALL ON %s FROM %s', current_user,
        CASE WHEN d.defaclnamespace = 0 THEN '' ELSE 'IN SCHEMA ' || d.defaclnamespace::regnamespace::text END, kind, ${GRANTEE});
    END LOOP;
    IF d.defaclnamespace = 0 THEN
      EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT ALL ON %s TO %I', current_user, kind, current_user);
      IF kind IN ('FUNCTIONS', 'TYPES') THEN
        EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT %s ON %s TO PUBLIC', current_user, CASE kind WHEN 'FUNCTIONS' THEN 'EXECUTE' ELSE 'USAGE' END, kind);
      END IF;
    END IF;
  END LOOP;
END $$;
`;
}

/**
 * The source's global default privileges of the dumping role (pg_dump of chosen schemas leaves them out), applied to
 * the restoring role once every object exists: a fresh project's own are replaced by the source's.
 */
export function globalDefaultPrivilegesSql(cat: SupabaseCatalog): string {
  const kinds = [...new Set(cat.globalDefaults.map((g) => g.kind))];
  if (!kinds.length) return '';
  const out = ["-- The source's global default privileges."];
  const who = (g: { grantee: string | null; self: boolean }) => (g.self ? 'CURRENT_USER' : g.grantee === null ? 'PUBLIC' : ident(g.grantee));
  for (const kind of kinds) {
    out.push(`ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER REVOKE ALL ON ${kind} FROM PUBLIC;`, `ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER REVOKE ALL ON ${kind} FROM CURRENT_USER;`);
    for (const g of cat.globalDefaults.filter((x) => x.kind === kind)) {
      out.push(`ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER GRANT ${g.privilege} ON ${kind} TO ${who(g)}${g.grantable ? ' WITH GRANT OPTION' : ''};`);
    }
  }
  return out.join('\n') + '\n';
}

/**
 * A statement the platform may refuse to \`postgres\` (supautils' reserved roles, a publication it does not own): tried
 * in a sub-transaction, and a refusal becomes a WARNING instead of failing the whole restore.
 */
export function tryStatement(sql: string, what: string): string {
  return `DO $$ BEGIN ${sql}; EXCEPTION WHEN insufficient_privilege OR feature_not_supported OR invalid_grant_operation OR undefined_object THEN RAISE WARNING '%', ${lit(
    `not restored: ${what}: `,
  )} || SQLERRM; END $$;`;
}

/** Triggers, policies, row level security and grants the user put on platform tables (auth.users, storage.objects). */
export function platformObjectsSql(cat: SupabaseCatalog): string {
  const out: string[] = ['-- What the user made on platform tables: triggers, policies, row level security, grants.'];
  for (const t of cat.triggers) {
    out.push(`${t.def};`);
    if (t.enabled === 'D') out.push(`ALTER TABLE ${t.table} DISABLE TRIGGER ${ident(t.name)};`);
    else if (t.enabled === 'R') out.push(`ALTER TABLE ${t.table} ENABLE REPLICA TRIGGER ${ident(t.name)};`);
    else if (t.enabled === 'A') out.push(`ALTER TABLE ${t.table} ENABLE ALWAYS TRIGGER ${ident(t.name)};`);
  }
  for (const t of cat.rls) {
    out.push(
      `DO $$ BEGIN IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = ${lit(t)}::regclass) THEN ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY; END IF; END $$;`,
    );
  }
  for (const p of cat.policies) {
    const roles = p.roles.map((r) => (r === 'public' ? 'PUBLIC' : ident(r))).join(', ');
    out.push(
      `CREATE POLICY ${ident(p.name)} ON ${p.table} AS ${p.permissive} FOR ${p.cmd} TO ${roles}` +
        `${p.qual !== null ? ` USING (${p.qual})` : ''}${p.check !== null ? ` WITH CHECK (${p.check})` : ''};`,
    );
  }
  for (const g of cat.grants) out.push(`GRANT ${g.privilege} ON TABLE ${g.table} TO ${ident(g.grantee)}${g.grantable ? ' WITH GRANT OPTION' : ''};`);
  for (const t of cat.realtime) {
    out.push(tryStatement(`ALTER PUBLICATION supabase_realtime ADD TABLE ${t}`, `${t} in the supabase_realtime publication (Realtime)`));
  }
  return out.join('\n') + '\n';
}

/** Lines of a schema dump that a restore as `postgres` into a project must not run as they are. */
export function rewriteSchemaLine(line: string): string | null {
  // The schema exists in a project (public always; an extension's schema may have been created first).
  const schema = /^CREATE SCHEMA ("(?:[^"]|"")+");$/.exec(line);
  if (schema) return `CREATE SCHEMA IF NOT EXISTS ${schema[1]};`;
  // The platform owns the public schema.
  if (line.startsWith('COMMENT ON SCHEMA "public" IS ')) return null;
  // Default privileges of platform roles are the platform's (and only their members may change them).
  const dflt = /^ALTER DEFAULT PRIVILEGES FOR ROLE "((?:[^"]|"")+)"/.exec(line);
  if (dflt && dflt[1] !== 'postgres' && PLATFORM_ROLE_PATTERN.test(dflt[1]!.replace(/""/g, '"'))) return null;
  return line;
}

/**
 * The producers of a Supabase-mode backup, in restore order:
 *  1. ours: the user's roles (no passwords) and memberships, extensions, an empty slate of default privileges;
 *  2. pg_dump --section=pre-data of the app schemas (schemas, types, functions, tables, views, sequences, ACLs);
 *  3. the data of the app schemas and of auth/storage (minus their migration tables) as COPY blocks, loaded with
 *     session_replication_role = replica so that no trigger (the platform's or the user's) fires on restored rows;
 *  4. ours: the user's triggers, policies, RLS and grants on platform tables, which no schema filter of pg_dump
 *     can reach (supabase db dump loses them);
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
    { kind: 'sql', name: 'data header', sql: () => '-- Data: no trigger fires on restored rows.\nSET session_replication_role = replica;\n' },
    dump('pg_dump (data)', ['--data-only', ...schemas, ...PLATFORM_DATA_SCHEMAS.map((s) => `--schema=${s}`), ...skip]),
    {
      kind: 'sql',
      name: 'platform tables',
      sql: () => 'SET session_replication_role = DEFAULT;\n' + platformObjectsSql(cat) + globalDefaultPrivilegesSql(cat),
    },
    // Last, so that the file ends with pg_dump's own "dump complete" trailer (verify and the drill check it).
    ...schemaPart(dump('pg_dump (constraints, triggers, policies)', ['--section=post-data', ...schemas], true)),
  ];
}
