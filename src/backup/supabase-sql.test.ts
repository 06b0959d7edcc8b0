import { describe, expect, it } from '@jest/globals';
import type { SupabaseCatalog } from './supabase-catalog.js';
import { extensionsSql, platformObjectsSql, rewriteSchemaLine, rolesSql } from './supabase-sql.js';

const empty: SupabaseCatalog = { appSchemas: [], extensions: [], roles: [], memberships: [], unreadable: [], triggers: [], policies: [], rls: [], grants: [], realtime: [], globalDefaults: [] };

describe('rewriteSchemaLine', () => {
  it('makes schema creation idempotent and drops what the platform owns', () => {
    expect(rewriteSchemaLine('CREATE SCHEMA "public";')).toBe('CREATE SCHEMA IF NOT EXISTS "public";');
    expect(rewriteSchemaLine('CREATE SCHEMA "we""ird";')).toBe('CREATE SCHEMA IF NOT EXISTS "we""ird";');
    expect(rewriteSchemaLine(`COMMENT ON SCHEMA "public" IS 'standard public schema';`)).toBeNull();
    expect(rewriteSchemaLine('ALTER DEFAULT PRIVILEGES FOR ROLE "supabase_admin" IN SCHEMA "public" GRANT ALL ON TABLES  TO "anon";')).toBeNull();
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
        { name: "o'neil", login: true, inherit: true, createrole: false, createdb: false, connlimit: 3, validuntil: null, superuser: false, bypassrls: false, replication: false, config: ['statement_timeout=5s'] },
      ],
      memberships: [{ role: 'authenticated', member: "o'neil", admin: false }],
    });
    expect(sql).toContain(`IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'o''neil') THEN CREATE ROLE "o'neil"; END IF;`);
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
      triggers: [{ table: 'auth.users', name: 'on_signup', def: 'CREATE TRIGGER on_signup AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.f()', enabled: 'D' }],
      policies: [{ table: 'storage.objects', name: 'own files', permissive: 'PERMISSIVE', cmd: 'SELECT', roles: ['authenticated', 'public'], qual: '(owner = auth.uid())', check: null }],
      rls: ['storage.objects'],
      grants: [{ table: 'auth.users', grantee: 'analyst', privilege: 'SELECT', grantable: false }],
    });
    expect(sql).toContain('CREATE TRIGGER on_signup AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.f();\nALTER TABLE auth.users DISABLE TRIGGER "on_signup";');
    expect(sql).toContain('CREATE POLICY "own files" ON storage.objects AS PERMISSIVE FOR SELECT TO "authenticated", PUBLIC USING ((owner = auth.uid()));');
    expect(sql).toContain(`IF NOT (SELECT relrowsecurity FROM pg_class WHERE oid = 'storage.objects'::regclass) THEN ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;`);
    expect(sql).toContain('GRANT SELECT ON TABLE auth.users TO "analyst";');
  });
});

describe('extensionsSql', () => {
  it('creates each extension when the server offers it (its schema first when that is an app schema)', () => {
    const sql = extensionsSql({ ...empty, extensions: [{ name: 'citext', schema: 'extensions' }, { name: 'postgis', schema: 'gis' }] });
    expect(sql).toContain(`IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'citext') THEN CREATE EXTENSION IF NOT EXISTS "citext" WITH SCHEMA "extensions";`);
    expect(sql).toContain(`CREATE SCHEMA IF NOT EXISTS "gis";\nDO $$ BEGIN IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'postgis')`);
    expect(sql).toContain(`RAISE WARNING '%', 'extension postgis is not available on this server: not created'`);
    expect(sql).not.toContain('CREATE SCHEMA IF NOT EXISTS "extensions"');
  });
});
