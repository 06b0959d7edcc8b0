/**
 * What a Supabase project has before the user adds anything: the platform's roles, schemas, tables, grants, default
 * privileges and event triggers, written from Supabase's published sources (supabase/postgres
 * `migrations/db/init-scripts/*.sql` and `migrations/db/migrations/*.sql`; the auth and storage tables as the auth
 * and storage services' own migrations leave them, trimmed to the columns that matter) minus extensions a stock
 * PostgreSQL lacks (pg_graphql, supabase_vault, pgsodium, pg_net, pg_cron, supautils).
 *
 * It is used twice: `backup restore --bootstrap` runs it on a plain PostgreSQL server so that a Supabase-mode backup
 * restores there (inspection, drills), and the test lab builds its Supabase-shaped clusters from it. Run it as a
 * superuser. It is idempotent: what exists already is left alone.
 */

/** The platform's roles (cluster-wide). `supabase_admin` and `postgres` exist already on a Supabase server. */
const ROLES = `
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT * FROM (VALUES
    ('supabase_admin', 'NOLOGIN'),
    ('postgres', 'LOGIN CREATEDB CREATEROLE REPLICATION BYPASSRLS'),
    ('anon', 'NOLOGIN'),
    ('authenticated', 'NOLOGIN'),
    ('service_role', 'NOLOGIN BYPASSRLS'),
    ('authenticator', 'LOGIN NOINHERIT'),
    ('supabase_auth_admin', 'LOGIN NOINHERIT CREATEROLE'),
    ('supabase_storage_admin', 'LOGIN NOINHERIT CREATEROLE'),
    ('supabase_functions_admin', 'LOGIN NOINHERIT CREATEROLE'),
    ('supabase_realtime_admin', 'NOLOGIN NOINHERIT'),
    ('supabase_replication_admin', 'LOGIN REPLICATION'),
    ('supabase_etl_admin', 'LOGIN REPLICATION'),
    ('supabase_read_only_user', 'LOGIN BYPASSRLS'),
    ('dashboard_user', 'NOLOGIN CREATEDB CREATEROLE REPLICATION'),
    ('pgbouncer', 'LOGIN')
  ) AS t(name, attrs) LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r.name) THEN
      EXECUTE format('CREATE ROLE %I %s', r.name, r.attrs);
    END IF;
  END LOOP;
END $$;
GRANT anon, authenticated, service_role TO authenticator;
GRANT pg_read_all_data TO supabase_read_only_user;
ALTER ROLE anon SET statement_timeout = '3s';
ALTER ROLE authenticated SET statement_timeout = '8s';
ALTER ROLE supabase_auth_admin SET search_path = auth;
ALTER ROLE supabase_storage_admin SET search_path = storage;
`;

const SCHEMAS = `
CREATE SCHEMA IF NOT EXISTS extensions AUTHORIZATION supabase_admin;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA extensions TO dashboard_user;

GRANT USAGE ON SCHEMA public TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA public TO postgres;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;

CREATE SCHEMA IF NOT EXISTS graphql AUTHORIZATION supabase_admin;
CREATE SCHEMA IF NOT EXISTS graphql_public AUTHORIZATION supabase_admin;
CREATE OR REPLACE FUNCTION graphql_public.graphql("operationName" text DEFAULT NULL, query text DEFAULT NULL, variables jsonb DEFAULT NULL, extensions jsonb DEFAULT NULL)
  RETURNS jsonb LANGUAGE sql AS $$ SELECT jsonb_build_object('errors', jsonb_build_array(jsonb_build_object('message', 'pg_graphql extension is not enabled.'))) $$;
ALTER FUNCTION graphql_public.graphql(text, text, jsonb, jsonb) OWNER TO supabase_admin;
GRANT USAGE ON SCHEMA graphql, graphql_public TO postgres, anon, authenticated, service_role;

CREATE SCHEMA IF NOT EXISTS realtime AUTHORIZATION supabase_admin;
GRANT USAGE ON SCHEMA realtime TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA realtime TO supabase_realtime_admin;
CREATE TABLE IF NOT EXISTS realtime.schema_migrations (version bigint PRIMARY KEY, inserted_at timestamp(0));
ALTER TABLE realtime.schema_migrations OWNER TO supabase_admin;

CREATE SCHEMA IF NOT EXISTS vault AUTHORIZATION supabase_admin;
CREATE SCHEMA IF NOT EXISTS pgbouncer AUTHORIZATION pgbouncer;
CREATE OR REPLACE FUNCTION pgbouncer.get_auth(p_usename text) RETURNS TABLE(username text, password text)
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS
  $$ SELECT rolname::text, NULL::text FROM pg_roles WHERE rolname = p_usename AND rolcanlogin $$;
ALTER FUNCTION pgbouncer.get_auth(text) OWNER TO supabase_admin;
REVOKE ALL ON FUNCTION pgbouncer.get_auth(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgbouncer.get_auth(text) TO pgbouncer;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'supabase_realtime') THEN
    CREATE PUBLICATION supabase_realtime;
  END IF;
END $$;
ALTER PUBLICATION supabase_realtime OWNER TO postgres;
`;

/** The auth service's tables, as its migrations leave them (the columns an app reads). Owned by supabase_auth_admin. */
const AUTH = `
CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION supabase_admin;
CREATE TABLE IF NOT EXISTS auth.instances (id uuid PRIMARY KEY, uuid uuid, raw_base_config text, created_at timestamptz, updated_at timestamptz);
CREATE TABLE IF NOT EXISTS auth.users (
  instance_id uuid,
  id uuid PRIMARY KEY,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text UNIQUE DEFAULT NULL,
  phone_confirmed_at timestamptz,
  confirmed_at timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,
  banned_until timestamptz,
  is_sso_user boolean NOT NULL DEFAULT false,
  deleted_at timestamptz,
  is_anonymous boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_partial_key ON auth.users (email) WHERE is_sso_user = false;
CREATE INDEX IF NOT EXISTS users_instance_id_idx ON auth.users (instance_id);
CREATE TABLE IF NOT EXISTS auth.identities (
  provider_id text NOT NULL,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  identity_data jsonb NOT NULL,
  provider text NOT NULL,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  email text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED,
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  CONSTRAINT identities_provider_id_provider_unique UNIQUE (provider_id, provider)
);
CREATE INDEX IF NOT EXISTS identities_user_id_idx ON auth.identities (user_id);
CREATE TABLE IF NOT EXISTS auth.sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  created_at timestamptz,
  updated_at timestamptz,
  not_after timestamptz,
  user_agent text,
  ip inet
);
CREATE TABLE IF NOT EXISTS auth.refresh_tokens (
  instance_id uuid,
  id bigserial PRIMARY KEY,
  token varchar(255) UNIQUE,
  user_id varchar(255),
  revoked boolean,
  created_at timestamptz,
  updated_at timestamptz,
  parent varchar(255),
  session_id uuid REFERENCES auth.sessions (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS auth.audit_log_entries (instance_id uuid, id uuid PRIMARY KEY, payload json, created_at timestamptz, ip_address varchar(64) NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS auth.schema_migrations (version varchar(255) PRIMARY KEY);
INSERT INTO auth.schema_migrations VALUES ('20171026211738'), ('20221208132122'), ('20240427152123'), ('20241009103726') ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$;
CREATE OR REPLACE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text $$;
CREATE OR REPLACE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('request.jwt.claim.email', true), ''), (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'))::text $$;
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS
  $$ SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''), nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['instances', 'users', 'identities', 'sessions', 'refresh_tokens', 'audit_log_entries', 'schema_migrations'] LOOP
    EXECUTE format('ALTER TABLE auth.%I OWNER TO supabase_auth_admin', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['uid()', 'role()', 'email()', 'jwt()'] LOOP
    EXECUTE format('ALTER FUNCTION auth.%s OWNER TO supabase_auth_admin', t);
  END LOOP;
END $$;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role, postgres;
GRANT ALL ON SCHEMA auth TO supabase_auth_admin, dashboard_user;
GRANT ALL ON ALL TABLES IN SCHEMA auth TO postgres, dashboard_user;
GRANT ALL ON ALL SEQUENCES IN SCHEMA auth TO postgres, dashboard_user;
GRANT ALL ON ALL ROUTINES IN SCHEMA auth TO postgres, dashboard_user;
REVOKE ALL ON auth.schema_migrations FROM postgres, dashboard_user;
`;

/** The storage service's tables and triggers (objects keep their folder prefixes in storage.prefixes by trigger). */
const STORAGE = `
CREATE SCHEMA IF NOT EXISTS storage AUTHORIZATION supabase_admin;
GRANT USAGE ON SCHEMA storage TO postgres WITH GRANT OPTION;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
GRANT ALL ON SCHEMA storage TO supabase_storage_admin WITH GRANT OPTION;
GRANT ALL ON SCHEMA storage TO dashboard_user;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_storage_admin IN SCHEMA storage GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_storage_admin IN SCHEMA storage GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_storage_admin IN SCHEMA storage GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;
SET ROLE supabase_storage_admin;
CREATE TABLE IF NOT EXISTS storage.migrations (id integer PRIMARY KEY, name varchar(100) UNIQUE NOT NULL, hash varchar(40) NOT NULL, executed_at timestamp DEFAULT current_timestamp);
INSERT INTO storage.migrations VALUES (0, 'create-migrations-table', 'e18db593bcde2aca2a408c4d1100f6abba2195df'), (1, 'initialmigration', '6ab16121fbaa08bbd11b712d05f358f9b555d777') ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS storage.buckets (
  id text PRIMARY KEY,
  name text NOT NULL,
  owner uuid,
  owner_id text,
  public boolean DEFAULT false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name);
CREATE TABLE IF NOT EXISTS storage.objects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bucket_id text REFERENCES storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  last_accessed_at timestamptz DEFAULT now(),
  metadata jsonb,
  user_metadata jsonb,
  version text,
  path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED,
  level integer
);
CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects (bucket_id, name);
CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects (name text_pattern_ops);
CREATE TABLE IF NOT EXISTS storage.prefixes (
  bucket_id text NOT NULL REFERENCES storage.buckets (id),
  name text COLLATE "C" NOT NULL,
  level integer NOT NULL,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  PRIMARY KEY (bucket_id, level, name)
);
CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS
  $$ SELECT (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$;
CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $$;
CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT reverse(split_part(reverse(storage.filename(name)), '.', 1)) $$;
CREATE OR REPLACE FUNCTION storage.update_updated_at_column() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END $$;
-- On every insert the storage service's trigger records the object's folders (storage.prefixes) and its depth.
CREATE OR REPLACE FUNCTION storage.objects_insert_prefix_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parts text[] := string_to_array(NEW.name, '/');
  i integer;
BEGIN
  NEW.level := array_length(parts, 1);
  FOR i IN 1 .. coalesce(array_length(parts, 1), 0) - 1 LOOP
    INSERT INTO storage.prefixes (bucket_id, name, level)
    VALUES (NEW.bucket_id, array_to_string(parts[1:i], '/'), i)
    ON CONFLICT DO NOTHING;
  END LOOP;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS update_objects_updated_at ON storage.objects;
CREATE TRIGGER update_objects_updated_at BEFORE UPDATE ON storage.objects FOR EACH ROW EXECUTE FUNCTION storage.update_updated_at_column();
DROP TRIGGER IF EXISTS objects_insert_create_prefix ON storage.objects;
CREATE TRIGGER objects_insert_create_prefix BEFORE INSERT ON storage.objects FOR EACH ROW EXECUTE FUNCTION storage.objects_insert_prefix_trigger();
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.prefixes ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.migrations ENABLE ROW LEVEL SECURITY;
RESET ROLE;
REVOKE ALL ON storage.migrations FROM anon, authenticated, service_role, postgres;
GRANT ALL ON ALL SEQUENCES IN SCHEMA storage TO dashboard_user;
GRANT ALL ON ALL ROUTINES IN SCHEMA storage TO dashboard_user;
`;

/** PostgREST's schema-cache event triggers (they only NOTIFY), as on the platform. */
const EVENT_TRIGGERS = `
CREATE OR REPLACE FUNCTION extensions.pgrst_ddl_watch() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE cmd record;
BEGIN
  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    IF cmd.schema_name IS DISTINCT FROM 'pg_temp' THEN
      NOTIFY pgrst, 'reload schema';
    END IF;
  END LOOP;
END $$;
CREATE OR REPLACE FUNCTION extensions.pgrst_drop_watch() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  NOTIFY pgrst, 'reload schema';
END $$;
ALTER FUNCTION extensions.pgrst_ddl_watch() OWNER TO supabase_admin;
ALTER FUNCTION extensions.pgrst_drop_watch() OWNER TO supabase_admin;
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'pgrst_ddl_watch') THEN
    CREATE EVENT TRIGGER pgrst_ddl_watch ON ddl_command_end EXECUTE FUNCTION extensions.pgrst_ddl_watch();
  END IF;
  IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'pgrst_drop_watch') THEN
    CREATE EVENT TRIGGER pgrst_drop_watch ON sql_drop EXECUTE FUNCTION extensions.pgrst_drop_watch();
  END IF;
END $$;
`;

/**
 * What supautils lets `postgres` do on the platform although it is no superuser: set session_replication_role
 * (supautils.privileged_role_allowed_configs), and create/alter/drop policies and drop triggers on the auth,
 * storage and realtime tables (supautils.policy_grants / drop_trigger_grants list them for postgres). Without
 * supautils the only way to allow the latter is membership of the tables' owner, which older projects had and the
 * platform has since revoked (migrations 20240606060239, 20250421084701): membership of supabase_storage_admin
 * stands in for policy_grants on the storage tables (none on the auth ones: postgres only has its table grants
 * there, as on the platform). Everything else postgres has here is what the platform grants it, grant options
 * included (ALL on storage.buckets/objects and USAGE on the storage schema WITH GRANT OPTION, migrations
 * 20250623125453 and 20250709135250; none on the auth tables and routines). Not emulated: supautils.reserved_roles,
 * which refuses postgres ALTER ROLE on the platform's roles except the settings of anon, authenticated,
 * service_role and authenticator; a backup never alters any other platform role, so the lab needs no stand-in.
 */
const POSTGRES_PRIVILEGES = `
GRANT SET ON PARAMETER session_replication_role TO postgres;
GRANT ALL ON storage.buckets, storage.objects TO postgres WITH GRANT OPTION;
GRANT supabase_storage_admin TO postgres;
GRANT ALL ON DATABASE CURRENT_DATABASE_NAME TO postgres;
`;

/** The whole platform, for a database named `dbname` (the grant on the database names it). */
export function supabasePlatformSql(dbname: string): string {
  const db = `"${dbname.replace(/"/g, '""')}"`;
  return [
    'SET client_min_messages = error;',
    ROLES,
    SCHEMAS,
    AUTH,
    STORAGE,
    EVENT_TRIGGERS,
    POSTGRES_PRIVILEGES.replace('CURRENT_DATABASE_NAME', db),
  ].join('\n');
}

/** Schemas the platform owns: their DDL is the platform's, never the backup's (see dump.go of supabase/cli). */
export const PLATFORM_SCHEMAS = [
  'auth',
  'storage',
  'extensions',
  'graphql',
  'graphql_public',
  'realtime',
  '_realtime',
  'vault',
  'pgbouncer',
  'pgsodium',
  'pgsodium_masks',
  'pgtle',
  'net',
  'cron',
  'supabase_functions',
  'supabase_migrations',
  '_analytics',
  '_supavisor',
  'etl',
  'dbdev',
  'pgmq',
  'repack',
  'tiger',
  'tiger_data',
  'topology',
  'information_schema',
];

/** Roles the platform makes (never dumped as the user's): see reservedRoles in supabase/cli's dump.go. */
export const PLATFORM_ROLE_PATTERN =
  /^(anon|authenticated|authenticator|dashboard_user|pgbouncer|postgres|service_role|cli_login_.*|supabase_.*|pgsodium_.*|pgtle_admin|pg_.*)$/;

/**
 * The platform's own roles by name (supabase/postgres migrations/db: init-scripts and migrations such as
 * 20251215120934_supabase_superuser); a user role whose name merely matches PLATFORM_ROLE_PATTERN is the user's.
 */
export const KNOWN_PLATFORM_ROLES = [
  'anon',
  'authenticated',
  'authenticator',
  'dashboard_user',
  'pgbouncer',
  'postgres',
  'service_role',
  'pgtle_admin',
  'supabase_admin',
  'supabase_auth_admin',
  'supabase_storage_admin',
  'supabase_functions_admin',
  'supabase_realtime_admin',
  'supabase_replication_admin',
  'supabase_read_only_user',
  'supabase_etl_admin',
  'supabase_superuser',
];

/**
 * Platform roles whose settings `postgres` may change (supautils.reserved_roles lists them with a `*`:
 * "service_role*, authenticator*, authenticated*, anon*"); Supabase documents e.g. ALTER ROLE authenticated SET
 * statement_timeout. The backup carries their settings; the other platform roles' settings are the platform's.
 */
export const SETTABLE_PLATFORM_ROLES = ['anon', 'authenticated', 'authenticator', 'service_role'];
