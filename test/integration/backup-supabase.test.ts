import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { inputsFrom } from '../../src/core/inputs.js';
import { pg, uniqueName, useLabAws } from '../lab/shared.js';
import { captureReporter } from '../lab/capture.js';
import { startPostgres, type Postgres } from '../lab/postgres.js';
import { startSupabasePostgres, type SupabaseProject } from '../lab/supabase.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';

/** The seed's recovery, strict: gunzip the file into psql, stop at the first error, all or nothing. Returns psql's stderr. */
function strictRestore(file: string, url: string): string {
  const res = spawnSync(
    'bash',
    ['-o', 'pipefail', '-c', 'gunzip -c "$FILE" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction "$DATABASE_URL"'],
    {
      env: { ...process.env, FILE: file, DATABASE_URL: url, PATH: `${pg.binDir}:${process.env.PATH}` },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    },
  );
  if (res.status !== 0) throw new Error(`strict restore failed (${res.status}): ${res.stderr}`);
  return res.stderr;
}

const APP_SCHEMAS = `('public', 'app_private')`;
const DATA_SCHEMAS = `('public', 'app_private', 'auth', 'storage')`;

/**
 * Everything an app depends on, object by object, as one sorted list of lines: tables and columns, constraints,
 * indexes, triggers (on any table, auth.users included), policies, row level security, ACLs of tables, sequences,
 * functions and schemas, default privileges, enum labels, views, sequence values, the user's roles and memberships.
 */
const CATALOG = `
SELECT 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-') || ' ' || is_identity || ' ' || is_generated
  FROM information_schema.columns WHERE table_schema IN ${APP_SCHEMAS}
UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace::regnamespace::text IN ${DATA_SCHEMAS}
UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname IN ${DATA_SCHEMAS}
UNION ALL SELECT 'trigger ' || pg_get_triggerdef(oid) || ' ' || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal
UNION ALL SELECT 'policy ' || schemaname || '.' || tablename || ' ' || policyname || ' ' || permissive || ' ' || cmd || ' ' || roles::text || ' ' || coalesce(qual, '-') || ' ' || coalesce(with_check, '-') FROM pg_policies
UNION ALL SELECT 'rls ' || c.oid::regclass || ' ' || c.relrowsecurity || ' ' || c.relforcerowsecurity FROM pg_class c WHERE c.relnamespace::regnamespace::text IN ${DATA_SCHEMAS} AND c.relkind IN ('r', 'p')
UNION ALL SELECT 'acl ' || c.relkind::text || ' ' || c.oid::regclass || ' ' || a.grantee::regrole || ' ' || a.privilege_type || ' ' || a.is_grantable
  FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))) a WHERE c.relnamespace::regnamespace::text IN ${DATA_SCHEMAS} AND a.grantee <> 0
UNION ALL SELECT 'acl public ' || c.oid::regclass || ' ' || a.privilege_type
  FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault((CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))) a WHERE c.relnamespace::regnamespace::text IN ${DATA_SCHEMAS} AND a.grantee = 0
UNION ALL SELECT 'column acl ' || c.oid::regclass || '.' || att.attname || ' ' || a.grantee::regrole || ' ' || a.privilege_type
  FROM pg_class c JOIN pg_attribute att ON att.attrelid = c.oid, aclexplode(att.attacl) a WHERE c.relnamespace::regnamespace::text IN ${DATA_SCHEMAS}
UNION ALL SELECT 'function ' || p.oid::regprocedure || ' ' || coalesce(a.grantee::regrole::text, 'PUBLIC') || ' ' || a.privilege_type || ' ' || md5(pg_get_functiondef(p.oid))
  FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE p.pronamespace::regnamespace::text IN ${DATA_SCHEMAS}
UNION ALL SELECT 'owner ' || n.nspname || ' ' || n.nspowner::regrole FROM pg_namespace n WHERE n.nspname IN ${APP_SCHEMAS}
UNION ALL SELECT 'owner ' || c.relkind::text || ' ' || c.oid::regclass || ' ' || c.relowner::regrole FROM pg_class c WHERE c.relnamespace::regnamespace::text IN ${APP_SCHEMAS}
UNION ALL SELECT 'owner function ' || p.oid::regprocedure || ' ' || p.proowner::regrole || ' ' || p.prosecdef FROM pg_proc p WHERE p.pronamespace::regnamespace::text IN ${APP_SCHEMAS}
UNION ALL SELECT 'owner type ' || t.oid::regtype || ' ' || t.typowner::regrole FROM pg_type t WHERE t.typnamespace::regnamespace::text IN ${APP_SCHEMAS}
UNION ALL SELECT 'policy comment ' || polrelid::regclass || ' ' || polname || ' ' || obj_description(oid, 'pg_policy') FROM pg_policy WHERE obj_description(oid, 'pg_policy') IS NOT NULL
UNION ALL SELECT 'role setting ' || rolname || ' ' || rolconfig::text FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role', 'authenticator')
UNION ALL SELECT 'publication rel ' || pb.pubname || ' ' || pr.prrelid::regclass || ' ' || coalesce(pr.prattrs::text, '-') || ' ' || coalesce(pg_get_expr(pr.prqual, pr.prrelid), '-')
  FROM pg_publication_rel pr JOIN pg_publication pb ON pb.oid = pr.prpubid
UNION ALL SELECT 'schema ' || n.nspname || ' ' || coalesce(a.grantee::regrole::text, 'PUBLIC') || ' ' || a.privilege_type FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a WHERE n.nspname IN ${DATA_SCHEMAS}
UNION ALL SELECT 'default acl ' || defaclrole::regrole || ' ' || coalesce(defaclnamespace::regnamespace::text, '-') || ' ' || defaclobjtype::text || ' ' || defaclacl::text FROM pg_default_acl
UNION ALL SELECT 'enum ' || enumtypid::regtype || ' ' || enumsortorder || ' ' || enumlabel FROM pg_enum
UNION ALL SELECT 'view ' || schemaname || '.' || viewname || ' ' || md5(definition) FROM pg_views WHERE schemaname IN ${APP_SCHEMAS}
UNION ALL SELECT 'sequence ' || schemaname || '.' || sequencename || ' ' || coalesce(last_value, 0) FROM pg_sequences WHERE schemaname IN ${DATA_SCHEMAS}
UNION ALL SELECT 'role ' || rolname || ' ' || rolcanlogin || ' ' || rolinherit || ' ' || rolconnlimit FROM pg_roles WHERE rolname LIKE 'shisha%' OR rolname = 'supabase_reader'
UNION ALL SELECT 'member ' || roleid::regrole || ' ' || member::regrole || ' ' || admin_option FROM pg_auth_members WHERE roleid::regrole::text LIKE 'shisha%' OR member::regrole::text LIKE 'shisha%'
UNION ALL SELECT 'extension ' || extname FROM pg_extension
UNION ALL SELECT 'publication ' || pubname || ' ' || schemaname || '.' || tablename FROM pg_publication_tables
ORDER BY 1`;

/** Every row of every table the backup carries (auth and storage included), as count + md5 per table. */
const ROWS = `
SELECT string_agg(format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(t::text, ''|'' ORDER BY t::text)), ''-'') FROM %I.%I t', n.nspname || '.' || c.relname, n.nspname, c.relname), ' UNION ALL ' ORDER BY n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ${DATA_SCHEMAS} AND c.relkind = 'r' AND (n.nspname, c.relname) NOT IN (('auth', 'schema_migrations'), ('storage', 'migrations'))`;

function snapshot(run: (sql: string) => string): { catalog: string[]; rows: string[] } {
  return { catalog: run(CATALOG).split('\n'), rows: run(run(ROWS)).split('\n') };
}

describe('Supabase mode: a backup of a Supabase-shaped project restores into a fresh project and into plain PostgreSQL', () => {
  const bucket = uniqueName('backup-supa');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'backup-supa-'));
  const out = captureReporter(true);
  let source: SupabaseProject;
  let target: SupabaseProject;
  /** A plain PostgreSQL 15 server of its own: the bootstrap creates cluster-wide roles (supabase_admin, ...). */
  let plain: Postgres;
  let file = '';
  let key = '';

  beforeAll(async () => {
    useLabAws();
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    [source, target, plain] = await Promise.all([startSupabasePostgres(), startSupabasePostgres(), startPostgres()]);
    // A platform table (with a sequence) the dashboard user may not read, in both projects: skipped with a warning.
    for (const p of [source, target]) {
      p.admin.psql(
        'postgres',
        'CREATE TABLE auth.platform_only (id serial PRIMARY KEY); REVOKE ALL ON auth.platform_only, auth.platform_only_id_seq FROM postgres',
      );
      // moddatetime is no trusted extension: on the platform supautils lets postgres create it, here the admin does.
      p.admin.psql('postgres', 'CREATE EXTENSION moddatetime WITH SCHEMA extensions');
    }
    source.psql(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'supabase-app.sql'), 'utf8'));
    // A user trigger on a platform table whose function is an extension's (in a platform schema).
    source.psql(
      'CREATE TRIGGER buckets_touch BEFORE UPDATE ON storage.buckets FOR EACH ROW EXECUTE FUNCTION extensions.moddatetime(updated_at)',
    );
    // Grants postgres may not give on the platform (no grant option on the auth tables and routines), made by the admin.
    source.admin.psql(
      'postgres',
      'GRANT SELECT ON auth.identities TO shisha_analyst; GRANT EXECUTE ON FUNCTION auth.uid() TO shisha_analyst',
    );
    // A platform schema the source has and a fresh project lacks (pg_net's, created when the extension is enabled).
    source.admin.psql('postgres', 'CREATE SCHEMA net; GRANT USAGE ON SCHEMA net TO shisha_analyst');
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await Promise.all([source?.stop(), target?.stop(), plain?.stop()]);
  });

  it('detects the Supabase server and stores one .sql.gz with the seed naming', async () => {
    const res = await BACKUP_COMMANDS.run(
      inputsFrom({ 'database-url': source.url, bucket, project: 'shisha-log', environment: 'prod' }),
      out.reporter,
    );
    key = res.key;
    expect(key).toMatch(/^backups\/\d{4}\/\d{2}\/shisha-log_prod_postgres_\d{8}_\d{6}\.sql\.gz$/);
    expect(out.text()).toContain('Supabase mode (detected');
    const head = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.Metadata?.flavor).toBe('supabase');
    expect(out.text()).toContain('auth.platform_only: not readable by postgres, its rows are not in the backup');
    // The migration tables are left out on purpose: no warning about them.
    expect(out.text()).not.toContain('auth.schema_migrations: not readable');
    expect(out.text()).toContain('role supabase_reader: its name looks like one of Supabase');
    file = path.join(tmp, 'backup.sql.gz');
    await BACKUP_COMMANDS.download(inputsFrom({ bucket, key, output: file }), out.reporter);
    // The data is in COPY blocks (the drill's manifest counts rows from them), auth and storage included.
    const sql = execFileSync('gunzip', ['-c', file], { encoding: 'utf8' });
    expect(sql).toContain('COPY "auth"."users"');
    expect(sql).toContain('COPY "storage"."objects"');
    expect(sql).not.toContain('COPY "auth"."schema_migrations"');
    expect(sql).not.toMatch(/^CREATE TABLE "auth"/m);
    expect(sql).not.toContain('reporter-secret-pw');
  });

  it('restores strictly, as the non-superuser postgres, into a fresh project: identical objects and rows', () => {
    // This project's own default privileges differ from the source's: the restored objects must not pick them up.
    target.psql('ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO dashboard_user');
    const stderr = strictRestore(file, target.url);
    const asAdmin = (p: SupabaseProject) => (sql: string) => p.admin.psql('postgres', sql);
    const want = snapshot(asAdmin(source));
    const got = snapshot(asAdmin(target));
    // The grants postgres may not give are named in warnings, and are the only difference.
    expect(stderr).toContain(
      'not restored: GRANT SELECT ON TABLE auth.identities TO shisha_analyst (the restoring role may not grant it)',
    );
    expect(stderr).toContain(
      'not restored: GRANT EXECUTE ON ROUTINE auth.uid() TO shisha_analyst (the restoring role may not grant it)',
    );
    expect(stderr).toContain(
      'not restored: GRANT USAGE ON SCHEMA "net" TO shisha_analyst: schema "net" does not exist',
    );
    // The public schema's grants, which the project has already, cause no noise that would hide such a warning.
    expect(stderr).not.toContain('no privileges were granted for "public"');
    const refused = [
      'acl r auth.identities shisha_analyst SELECT false',
      'function auth.uid() shisha_analyst EXECUTE ',
    ];
    expect(want.catalog.filter((l) => refused.some((r) => l.startsWith(r)))).toHaveLength(2);
    expect(got.catalog).toEqual(want.catalog.filter((l) => !refused.some((r) => l.startsWith(r))));
    expect(got.rows).toEqual(want.rows);
    // What the comparison covers, said plainly.
    expect(got.catalog).toContain(
      'trigger CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION handle_new_user() O',
    );
    expect(got.catalog.filter((l) => l.startsWith('policy storage.objects'))).toHaveLength(2);
    expect(got.catalog).toEqual(
      expect.arrayContaining([
        'publication supabase_realtime public.sessions',
        'member shisha_analyst authenticator false',
      ]),
    );
    const covered = [
      'owner r app_private.ledger shisha_owner',
      'owner S app_private.ledger_id_seq shisha_owner',
      'owner function app_private.ledger_total() shisha_owner true',
      'owner type app_private.entry_kind shisha_owner',
      'column acl storage.objects.name shisha_analyst SELECT',
      'schema storage shisha_analyst USAGE',
      'publication rel supabase_realtime events - -',
      'publication rel supabase_realtime flavors 1 2 3 (id > 0)',
      'policy comment storage.objects receipts are private 領収書は本人だけ',
      'role setting authenticated {statement_timeout=20s}',
      "trigger CREATE TRIGGER buckets_touch BEFORE UPDATE ON storage.buckets FOR EACH ROW EXECUTE FUNCTION extensions.moddatetime('updated_at') O",
    ];
    expect(covered.filter((l) => !got.catalog.includes(l))).toEqual([]);
    expect(got.rows.find((l) => l.startsWith('public.sessions '))).toMatch(/^public\.sessions 40 /);
    expect(got.rows.find((l) => l.startsWith('public.profiles '))).toMatch(/^public\.profiles 2 /);
    expect(got.rows.find((l) => l.startsWith('storage.prefixes '))).toMatch(/^storage\.prefixes 4 /);
  });

  it('keeps the revoke from anon, the custom role and its grants, and the sign-up trigger works afterwards', () => {
    const q = (sql: string) => target.admin.psql('postgres', sql);
    expect(
      q(
        `SELECT has_table_privilege('anon', 'public.admin_notes', 'SELECT'), has_table_privilege('service_role', 'public.admin_notes', 'SELECT')`,
      ),
    ).toBe('f|t');
    expect(q(`SELECT has_function_privilege('anon', 'public.handle_new_user()', 'EXECUTE')`)).toBe('f');
    expect(
      q(
        `SELECT has_table_privilege('shisha_analyst', 'public.sessions', 'SELECT'), pg_has_role('shisha_reporter', 'shisha_analyst', 'MEMBER')`,
      ),
    ).toBe('t|t');
    expect(q(`SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'shisha_reporter'`)).toBe('t');
    // The custom owner keeps its rights; the SECURITY DEFINER function runs as it (not as postgres, which bypasses RLS).
    expect(
      q(`SELECT has_table_privilege('shisha_owner', 'app_private.ledger', 'INSERT'), app_private.ledger_total()`),
    ).toBe('t|100');
    expect(
      target.psql(
        `SELECT display_name || ' ' || encode(avatar, 'hex') || ' ' || handle FROM public.profiles WHERE avatar IS NOT NULL`,
      ),
    ).toBe('山田太郎 89504e470d0a1a0a00ff Taro');
    // Identity columns continue after the restored values.
    expect(
      target.psql(`INSERT INTO public.flavors (brand, name, kind) VALUES ('x', 'y', 'mint') RETURNING id`),
    ).toMatch(/^4\b/);
    target.psql(
      `INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES ('44444444-4444-4444-4444-444444444444', 'new@example.jp', '{"name": "新規"}')`,
    );
    expect(
      target.psql(`SELECT display_name FROM public.profiles WHERE id = '44444444-4444-4444-4444-444444444444'`),
    ).toBe('新規');
    // Row level security holds for the API roles.
    expect(target.admin.psql('postgres', `SET ROLE anon; SELECT count(*) FROM public.sessions`)).toBe('SET\n0');
  });

  it('restores into plain PostgreSQL 15 after `backup restore --bootstrap`', async () => {
    const db = 'plain_restore';
    await BACKUP_COMMANDS.restore(
      inputsFrom({ bucket, key, 'target-url': plain.createDatabase(db), bootstrap: true, yes: true }),
      out.reporter,
    );
    // (auth.platform_only is the project's own, not the bootstrap's.)
    const want = snapshot((sql) => source.admin.psql('postgres', sql)).rows.filter(
      (l) => !l.startsWith('auth.platform_only '),
    );
    expect(plain.psql(db, plain.psql(db, ROWS)).split('\n')).toEqual(want);
    expect(plain.psql(db, `SELECT count(*) FROM pg_trigger WHERE tgname = 'on_auth_user_created'`)).toBe('1');
    expect(plain.psql(db, `SELECT has_table_privilege('anon', 'public.admin_notes', 'SELECT')`)).toBe('f');
  });

  it('all parts of the backup see one snapshot: changes made while it runs are in none of them', async () => {
    let started = 0;
    const res = await BACKUP_COMMANDS.run(
      inputsFrom({ 'database-url': source.url, bucket, prefix: 'snapshot', project: 'shisha-log' }),
      out.reporter,
      {
        onDumpStarted: (pid) => {
          // Between the schema dump and the data dump: a new table with rows, and more rows in an old one.
          if (++started !== 2) return;
          process.kill(pid, 'SIGSTOP');
          try {
            source.psql(
              `CREATE TABLE public.late (id int); INSERT INTO public.late VALUES (1); INSERT INTO public.sessions (user_id, memo) SELECT id, 'late' FROM public.profiles`,
            );
          } finally {
            process.kill(pid, 'SIGCONT');
          }
        },
      },
    );
    expect(started).toBe(3);
    const db = 'snapshot_restore';
    await BACKUP_COMMANDS.restore(
      inputsFrom({ bucket, key: res.key, 'target-url': plain.createDatabase(db), bootstrap: true, yes: true }),
      out.reporter,
    );
    expect(plain.psql(db, `SELECT count(*) FROM public.sessions`)).toBe('40');
    expect(plain.psql(db, `SELECT to_regclass('public.late') IS NULL`)).toBe('t');
  });

  it('never prints the database passwords', () => {
    expect(out.text()).not.toContain(source.password);
    expect(out.text()).not.toContain(plain.password);
  });
});

describe('PostgreSQL mode: the whole database with its privileges', () => {
  it('restores GRANTs and REVOKEs into an empty database', async () => {
    useLabAws();
    const bucket = uniqueName('backup-plain');
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    const src = uniqueName('plainsrc').replace(/-/g, '_');
    const dst = uniqueName('plaindst').replace(/-/g, '_');
    pg.createDatabase(src);
    pg.createDatabase(dst);
    const out = captureReporter(true);
    try {
      pg.psql(
        src,
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'report_reader') THEN CREATE ROLE report_reader NOLOGIN; END IF; END $$;
         CREATE TABLE public.reports (id int PRIMARY KEY, body text); INSERT INTO public.reports VALUES (1, '報告');
         CREATE TABLE public.secrets (id int); REVOKE ALL ON public.secrets FROM PUBLIC;
         GRANT SELECT ON public.reports TO report_reader; REVOKE USAGE ON SCHEMA public FROM PUBLIC;`,
      );
      const res = await BACKUP_COMMANDS.run(
        inputsFrom({ 'database-url': pg.urlFor(src), bucket, project: 'shisha-log' }),
        out.reporter,
      );
      expect(out.text()).toContain('PostgreSQL mode');
      await BACKUP_COMMANDS.restore(
        inputsFrom({ bucket, key: res.key, 'target-url': pg.urlFor(dst), yes: true }),
        out.reporter,
      );
      expect(
        pg.psql(
          dst,
          `SELECT has_table_privilege('report_reader', 'public.reports', 'SELECT'), has_schema_privilege('report_reader', 'public', 'USAGE')`,
        ),
      ).toBe('t|f');
      expect(pg.psql(dst, `SELECT body FROM public.reports`)).toBe('報告');
    } finally {
      for (const db of [src, dst]) pg.psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    }
  });
});
