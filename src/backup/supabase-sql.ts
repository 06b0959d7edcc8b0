// The SQL of our own in a Supabase-mode backup (everything pg_dump does not write). Pure: unit-tested.
import type { Reporter } from '../core/reporter.js';
import { arr, defaclKind, ident, lit } from './sql-quote.js';
import type { SupabaseCatalog } from './supabase-catalog.js';
import { PLATFORM_ROLE_PATTERN, PLATFORM_SCHEMAS } from './supabase-platform.js';

/** CREATE ROLE for each role the user made (no passwords: set them again after a restore), with memberships. */
export function rolesSql(cat: SupabaseCatalog, reporter?: Reporter): string {
  const out: string[] = ['-- Roles the user created (without passwords), and their memberships.'];
  for (const r of cat.lookalikeRoles) {
    reporter?.warn(
      `role ${r}: its name looks like one of Supabase's own roles; it is backed up as the user's (a restore keeps a platform role of that name as it is)`,
    );
  }
  for (const r of cat.roles) {
    const skipped = [r.superuser && 'SUPERUSER', r.bypassrls && 'BYPASSRLS', r.replication && 'REPLICATION'].filter(
      Boolean,
    );
    if (skipped.length)
      reporter?.warn(`role ${r.name}: ${skipped.join(', ')} is not restored (only a superuser may grant it)`);
    const lookalike = cat.lookalikeRoles.includes(r.name);
    const stmt = (sql: string) => (lookalike ? tryStatement(sql.replace(/;$/, ''), `role ${r.name}`) : sql);
    out.push(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${lit(r.name)}) THEN CREATE ROLE ${ident(r.name)}; END IF; END $$;`,
    );
    const attrs = [
      r.login ? 'LOGIN' : 'NOLOGIN',
      r.inherit ? 'INHERIT' : 'NOINHERIT',
      r.createrole ? 'CREATEROLE' : 'NOCREATEROLE',
      r.createdb ? 'CREATEDB' : 'NOCREATEDB',
      `CONNECTION LIMIT ${Number(r.connlimit)}`,
      r.validuntil ? `VALID UNTIL ${lit(r.validuntil)}` : '',
    ].filter(Boolean);
    out.push(stmt(`ALTER ROLE ${ident(r.name)} WITH ${attrs.join(' ')};`));
    for (const c of r.config ?? []) {
      const eq = c.indexOf('=');
      out.push(stmt(`ALTER ROLE ${ident(r.name)} SET ${ident(c.slice(0, eq))} = ${lit(c.slice(eq + 1))};`));
    }
  }
  for (const m of cat.memberships) {
    const grant = `GRANT ${ident(m.role)} TO ${ident(m.member)}${m.admin ? ' WITH ADMIN OPTION' : ''}`;
    // The platform's own roles (authenticator, ...) may be reserved: granting them a role is tried, not required.
    out.push(
      PLATFORM_ROLE_PATTERN.test(m.member) ? tryStatement(grant, `${m.role} granted to ${m.member}`) : `${grant};`,
    );
  }
  // Settings of the API roles (statement_timeout, ...): set where the target's differ; the platform may refuse some.
  for (const r of cat.platformRoleSettings) {
    for (const c of r.config) {
      const eq = c.indexOf('=');
      const held = `coalesce((SELECT rolconfig FROM pg_roles WHERE rolname = ${lit(r.name)}) @> ARRAY[${lit(c)}], false)`;
      out.push(
        tryStatement(
          `ALTER ROLE ${ident(r.name)} SET ${ident(c.slice(0, eq))} = ${lit(c.slice(eq + 1))}`,
          `setting ${c} of role ${r.name}`,
          held,
        ),
      );
    }
  }
  return out.join('\n') + '\n';
}

/**
 * Extensions of the source (a project has most already: IF NOT EXISTS). One this server does not offer (plain
 * PostgreSQL lacks Supabase's extra ones) is skipped with a warning; what needs it fails later with its own error.
 */
export function extensionsSql(cat: SupabaseCatalog): string {
  const out: string[] = [];
  for (const e of cat.extensions) {
    if (!PLATFORM_SCHEMAS.includes(e.schema) && e.schema !== 'public')
      out.push(`CREATE SCHEMA IF NOT EXISTS ${ident(e.schema)};`);
    out.push(
      `DO $$ BEGIN IF EXISTS (SELECT FROM pg_available_extensions WHERE name = ${lit(e.name)}) THEN ` +
        `CREATE EXTENSION IF NOT EXISTS ${ident(e.name)} WITH SCHEMA ${ident(e.schema)}; ` +
        `ELSE RAISE WARNING '%', ${lit(`extension ${e.name} is not available on this server: not created`)}; END IF; END $$;`,
    );
  }
  return out.length ? `-- Extensions.\n${out.join('\n')}\n` : '';
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
    kind := ${defaclKind('d')};
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
  const who = (g: { grantee: string | null; self: boolean }) =>
    g.self ? 'CURRENT_USER' : g.grantee === null ? 'PUBLIC' : ident(g.grantee);
  for (const kind of kinds) {
    out.push(
      `ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER REVOKE ALL ON ${kind} FROM PUBLIC;`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER REVOKE ALL ON ${kind} FROM CURRENT_USER;`,
    );
    for (const g of cat.globalDefaults.filter((x) => x.kind === kind)) {
      out.push(
        `ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER GRANT ${g.privilege} ON ${kind} TO ${who(g)}${g.grantable ? ' WITH GRANT OPTION' : ''};`,
      );
    }
  }
  return out.join('\n') + '\n';
}

/**
 * A statement the platform may refuse to \`postgres\` (supautils' reserved roles, a publication it does not own): tried
 * in a sub-transaction, and a refusal becomes a WARNING instead of failing the whole restore.
 */
export function tryStatement(sql: string, what: string, unlessHeld?: string): string {
  const run = unlessHeld ? `IF NOT ${unlessHeld} THEN ${sql}; END IF;` : `${sql};`;
  return `DO $$ BEGIN ${run} EXCEPTION WHEN insufficient_privilege OR feature_not_supported OR invalid_grant_operation OR undefined_object THEN RAISE WARNING '%', ${lit(
    `not restored: ${what}: `,
  )} || SQLERRM; END $$;`;
}

/** SQL that is true when `acl` (an aclitem[] expression) holds `privilege` for `grantee`. */
const aclHolds = (acl: string, grantee: string, privilege: string) =>
  `EXISTS (SELECT FROM aclexplode(${acl}) a WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ${lit(grantee)}) AND a.privilege_type = ${lit(privilege)})`;

/**
 * A GRANT on a platform object. Without the grant option (postgres has none on the auth tables and routines) the
 * server only says "no privileges were granted": the grant is checked afterwards and a refusal is named in a WARNING
 * (the restore goes on: the rest of the backup is worth having); so is an object this project's platform version
 * lacks (a schema, table, column or routine of the source's platform).
 */
function platformGrant(
  g: { grantee: string; privilege: string; grantable: boolean },
  on: string,
  acl: string,
  column?: string,
): string {
  const privilege = column === undefined ? g.privilege : `${g.privilege} (${ident(column)})`;
  const what = `GRANT ${privilege} ON ${on} TO ${g.grantee}`;
  return (
    `DO $$ BEGIN GRANT ${privilege} ON ${on} TO ${ident(g.grantee)}${g.grantable ? ' WITH GRANT OPTION' : ''}; ` +
    `IF NOT ${aclHolds(acl, g.grantee, g.privilege)} THEN RAISE WARNING '%', ${lit(`not restored: ${what} (the restoring role may not grant it)`)}; END IF; ` +
    `EXCEPTION WHEN insufficient_privilege OR undefined_object OR undefined_function OR undefined_table OR undefined_column OR invalid_schema_name THEN RAISE WARNING '%', ${lit(`not restored: ${what}: `)} || SQLERRM; END $$;`
  );
}

/**
 * Owners of the app's objects that are the user's own roles (the dump is made with --no-owner, so the restoring
 * role owns everything first). After the data, so that the schema grants (the new owner needs CREATE) exist; the
 * restoring role must be a member of the owner (memberships are restored first), else a WARNING says which stayed.
 */
export function ownersSql(cat: SupabaseCatalog): string {
  if (!cat.owners.length) return '';
  const out = ["-- Objects owned by the user's roles."];
  for (const o of cat.owners)
    out.push(
      tryStatement(
        `ALTER ${o.kind} ${o.name} OWNER TO ${ident(o.owner)}`,
        `owner ${o.owner} of ${o.kind.toLowerCase()} ${o.name}`,
      ),
    );
  return out.join('\n') + '\n';
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
    // The table's owner may comment (supautils' policy_grants cover CREATE/ALTER/DROP POLICY only): tried.
    if (p.comment !== null)
      out.push(
        tryStatement(
          `COMMENT ON POLICY ${ident(p.name)} ON ${p.table} IS ${lit(p.comment)}`,
          `the comment on policy ${p.name} on ${p.table}`,
        ),
      );
  }
  for (const g of cat.grants)
    out.push(
      platformGrant(g, `${g.kind} ${g.table}`, `(SELECT relacl FROM pg_class WHERE oid = ${lit(g.table)}::regclass)`),
    );
  for (const g of cat.columnGrants) {
    const acl = `(SELECT attacl FROM pg_attribute WHERE attrelid = ${lit(g.table)}::regclass AND attname = ${lit(g.column)})`;
    out.push(platformGrant(g, `TABLE ${g.table}`, acl, g.column));
  }
  for (const g of cat.schemaGrants)
    out.push(
      platformGrant(
        g,
        `SCHEMA ${ident(g.schema)}`,
        `(SELECT nspacl FROM pg_namespace WHERE nspname = ${lit(g.schema)})`,
      ),
    );
  for (const g of cat.routineGrants)
    out.push(
      platformGrant(
        g,
        `ROUTINE ${g.routine}`,
        `(SELECT proacl FROM pg_proc WHERE oid = ${lit(g.routine)}::regprocedure)`,
      ),
    );
  for (const t of cat.realtime) {
    const cols = t.columns ? ` (${t.columns.map(ident).join(', ')})` : '';
    const where = t.where !== null ? ` WHERE (${t.where})` : '';
    out.push(
      tryStatement(
        `ALTER PUBLICATION supabase_realtime ADD TABLE ${t.table}${cols}${where}`,
        `${t.table} in the supabase_realtime publication (Realtime)`,
      ),
    );
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
  // ... and a project has its grants already: each is given only where missing, and a refusal is named.
  const grant = /^GRANT ([A-Z, ]+) ON SCHEMA "public" TO "((?:[^"]|"")+)"( WITH GRANT OPTION)?;$/.exec(line);
  if (grant) {
    const role = grant[2]!.replace(/""/g, '"');
    const privs = (grant[1] === 'ALL' ? ['USAGE', 'CREATE'] : grant[1]!.split(',').map((p) => p.trim())).map(
      (p) => `${p}${grant[3] ?? ''}`,
    );
    const held = privs.map((p) => `has_schema_privilege(${lit(role)}, 'public', ${lit(p)})`).join(' AND ');
    return (
      `DO $$ BEGIN IF NOT (${held}) THEN ${line} IF NOT (${held}) THEN RAISE WARNING '%', ` +
      `${lit(`not restored: ${line.slice(0, -1)} (the restoring role may not grant it)`)}; END IF; END IF; END $$;`
    );
  }
  // Default privileges of platform roles are the platform's (and only their members may change them).
  const dflt = /^ALTER DEFAULT PRIVILEGES FOR ROLE "((?:[^"]|"")+)"/.exec(line);
  if (dflt && dflt[1] !== 'postgres' && PLATFORM_ROLE_PATTERN.test(dflt[1]!.replace(/""/g, '"'))) return null;
  return line;
}
