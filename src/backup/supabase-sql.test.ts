import { describe, expect, it } from '@jest/globals';
import type { SupabaseCatalog } from './supabase-catalog.js';
import { extensionsSql, ownersSql, platformObjectsSql, rewriteSchemaLine, rolesSql } from './supabase-sql.js';

const empty: SupabaseCatalog = {
  appSchemas: [],
  extensions: [],
  roles: [],
  memberships: [],
  unreadable: [],
  triggers: [],
  policies: [],
  rls: [],
  grants: [],
  columnGrants: [],
  schemaGrants: [],
  routineGrants: [],
  realtime: [],
  owners: [],
  platformRoleSettings: [],
  lookalikeRoles: [],
  globalDefaults: [],
};

describe('rewriteSchemaLine', () => {
  it('makes schema creation idempotent and drops what the platform owns', () => {
    expect(rewriteSchemaLine('CREATE SCHEMA "public";')).toBe('CREATE SCHEMA IF NOT EXISTS "public";');
    expect(rewriteSchemaLine('CREATE SCHEMA "we""ird";')).toBe('CREATE SCHEMA IF NOT EXISTS "we""ird";');
    expect(rewriteSchemaLine(`COMMENT ON SCHEMA "public" IS 'standard public schema';`)).toBeNull();
    expect(
      rewriteSchemaLine(
        'ALTER DEFAULT PRIVILEGES FOR ROLE "supabase_admin" IN SCHEMA "public" GRANT ALL ON TABLES  TO "anon";',
      ),
    ).toBeNull();
  });
  it('gives the public schema’s grants only where the project lacks them, naming a refusal', () => {
    const sql = rewriteSchemaLine('GRANT USAGE ON SCHEMA "public" TO "anon";');
    expect(sql).toBe(
      `DO $$ BEGIN IF NOT (has_schema_privilege('anon', 'public', 'USAGE')) THEN GRANT USAGE ON SCHEMA "public" TO "anon"; ` +
        `IF NOT (has_schema_privilege('anon', 'public', 'USAGE')) THEN RAISE WARNING '%', 'not restored: GRANT USAGE ON SCHEMA "public" TO "anon" (the restoring role may not grant it)'; END IF; END IF; END $$;`,
    );
    expect(rewriteSchemaLine('GRANT ALL ON SCHEMA "public" TO "we""ird" WITH GRANT OPTION;')).toContain(
      `has_schema_privilege('we"ird', 'public', 'USAGE WITH GRANT OPTION') AND has_schema_privilege('we"ird', 'public', 'CREATE WITH GRANT OPTION')`,
    );
    expect(rewriteSchemaLine('GRANT USAGE ON SCHEMA "app" TO "anon";')).toBe('GRANT USAGE ON SCHEMA "app" TO "anon";');
  });
  it('keeps everything else, the user’s own default privileges included', () => {
    for (const l of [
      'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" GRANT ALL ON TABLES  TO "anon";',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "shisha_owner" GRANT SELECT ON TABLES  TO "shisha_analyst";',
      'CREATE SCHEMA "app" AUTHORIZATION "x";',
      '  CREATE SCHEMA "inside_a_function";',
      'COMMENT ON SCHEMA "app" IS \'x\';',
    ]) {
      expect(rewriteSchemaLine(l)).toBe(l);
    }
  });
});

describe('rolesSql', () => {
  it('creates missing roles without passwords, sets attributes, settings and memberships', () => {
    const sql = rolesSql({
      ...empty,
      roles: [
        {
          name: "o'neil",
          login: true,
          inherit: true,
          createrole: false,
          createdb: false,
          connlimit: 3,
          validuntil: null,
          superuser: false,
          bypassrls: false,
          replication: false,
          config: ['statement_timeout=5s'],
        },
      ],
      memberships: [{ role: 'authenticated', member: "o'neil", admin: false }],
    });
    expect(sql).toContain(
      `IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'o''neil') THEN CREATE ROLE "o'neil"; END IF;`,
    );
    expect(sql).toContain(`ALTER ROLE "o'neil" WITH LOGIN INHERIT NOCREATEROLE NOCREATEDB CONNECTION LIMIT 3;`);
    expect(sql).toContain(`ALTER ROLE "o'neil" SET "statement_timeout" = '5s';`);
    expect(sql).toContain(`GRANT "authenticated" TO "o'neil";`);
    expect(sql).not.toMatch(/PASSWORD/);
  });
});

describe('platformObjectsSql', () => {
  it('recreates user triggers, policies, RLS and grants on platform tables', () => {
    const sql = platformObjectsSql({
      ...empty,
      triggers: [
        {
          table: 'auth.users',
          name: 'on_signup',
          def: 'CREATE TRIGGER on_signup AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.f()',
          enabled: 'D',
        },
      ],
      policies: [
        {
          table: 'storage.objects',
          name: 'own files',
          permissive: 'PERMISSIVE',
          cmd: 'SELECT',
          roles: ['authenticated', 'public'],
          qual: '(owner = auth.uid())',
          check: null,
          comment: "owner's",
        },
      ],
      rls: ['storage.objects'],
      grants: [{ kind: 'TABLE', table: 'auth.users', grantee: 'analyst', privilege: 'SELECT', grantable: false }],
      columnGrants: [
        { table: 'storage.objects', column: 'name', grantee: 'analyst', privilege: 'SELECT', grantable: false },
      ],
      schemaGrants: [{ schema: 'storage', grantee: 'analyst', privilege: 'USAGE', grantable: false }],
      routineGrants: [{ routine: 'auth.uid()', grantee: 'analyst', privilege: 'EXECUTE', grantable: false }],
      realtime: [
        { table: 'app.events', columns: null, where: null },
        { table: 'app.invoices', columns: ['n', 'body'], where: '(n > 0)' },
      ],
    });
    expect(sql).toContain(
      'CREATE TRIGGER on_signup AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.f();\nALTER TABLE auth.users DISABLE TRIGGER "on_signup";',
    );
    expect(sql).toContain(
      'CREATE POLICY "own files" ON storage.objects AS PERMISSIVE FOR SELECT TO "authenticated", PUBLIC USING ((owner = auth.uid()));',
    );
    expect(sql).toContain(
      `IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = 'storage.objects'::regclass) THEN ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;`,
    );
    expect(sql).toContain(`COMMENT ON POLICY "own files" ON storage.objects IS 'owner''s';`);
    expect(sql).toContain(
      `GRANT SELECT ON TABLE auth.users TO "analyst"; IF NOT EXISTS (SELECT FROM aclexplode((SELECT relacl FROM pg_class WHERE oid = 'auth.users'::regclass)) a`,
    );
    expect(sql).toContain(
      `RAISE WARNING '%', 'not restored: GRANT SELECT ON TABLE auth.users TO analyst (the restoring role may not grant it)'`,
    );
    expect(sql).toContain(`GRANT SELECT ("name") ON TABLE storage.objects TO "analyst";`);
    expect(sql).toContain(
      `AND attname = 'name')) a WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = 'analyst') AND a.privilege_type = 'SELECT')`,
    );
    expect(sql).toContain(`GRANT USAGE ON SCHEMA "storage" TO "analyst";`);
    expect(sql).toContain(`GRANT EXECUTE ON ROUTINE auth.uid() TO "analyst";`);
    expect(sql).toContain('ALTER PUBLICATION supabase_realtime ADD TABLE app.events;');
    expect(sql).toContain('ALTER PUBLICATION supabase_realtime ADD TABLE app.invoices ("n", "body") WHERE ((n > 0));');
  });
});

describe('ownersSql', () => {
  it('gives the objects back to the user’s roles, a refusal becoming a warning', () => {
    const sql = ownersSql({
      ...empty,
      owners: [
        { kind: 'TABLE', name: 'billing.ledger', owner: 'rv_owner' },
        { kind: 'ROUTINE', name: 'billing.f(uuid)', owner: 'rv_owner' },
      ],
    });
    expect(sql).toContain(
      `DO $$ BEGIN ALTER TABLE billing.ledger OWNER TO "rv_owner"; EXCEPTION WHEN insufficient_privilege`,
    );
    expect(sql).toContain(`'not restored: owner rv_owner of routine billing.f(uuid): ' || SQLERRM`);
    expect(ownersSql(empty)).toBe('');
  });
});

describe('rolesSql on platform roles', () => {
  it('sets the API roles’ settings where the target differs, and warns about look-alike user roles', () => {
    const warnings: string[] = [];
    const sql = rolesSql(
      {
        ...empty,
        platformRoleSettings: [{ name: 'authenticated', config: ['statement_timeout=20s'] }],
        lookalikeRoles: ['supabase_reader'],
      },
      { warn: (m: string) => warnings.push(m) } as never,
    );
    expect(sql).toContain(
      `DO $$ BEGIN IF NOT coalesce((SELECT rolconfig FROM pg_roles WHERE rolname = 'authenticated') @> ARRAY['statement_timeout=20s'], false) THEN ALTER ROLE "authenticated" SET "statement_timeout" = '20s'; END IF; EXCEPTION`,
    );
    expect(warnings).toEqual([expect.stringContaining('role supabase_reader: its name looks like one of Supabase')]);
  });
});

describe('extensionsSql', () => {
  it('creates each extension when the server offers it (its schema first when that is an app schema)', () => {
    const sql = extensionsSql({
      ...empty,
      extensions: [
        { name: 'citext', schema: 'extensions' },
        { name: 'postgis', schema: 'gis' },
      ],
    });
    expect(sql).toContain(
      `IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'citext') THEN CREATE EXTENSION IF NOT EXISTS "citext" WITH SCHEMA "extensions";`,
    );
    expect(sql).toContain(
      `CREATE SCHEMA IF NOT EXISTS "gis";\nDO $$ BEGIN IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'postgis')`,
    );
    expect(sql).toContain(`RAISE WARNING '%', 'extension postgis is not available on this server: not created'`);
    expect(sql).not.toContain('CREATE SCHEMA IF NOT EXISTS "extensions"');
  });
});
