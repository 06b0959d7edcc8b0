/**
 * A Supabase-shaped PostgreSQL 15 for the lab: one cluster per "project", initialised like Supabase's image
 * (supabase/postgres migrations/db): the superuser is `supabase_admin`; `postgres` is a demoted, non-superuser
 * login (CREATEDB CREATEROLE REPLICATION BYPASSRLS) that apps and backups connect as; the platform's roles, schemas
 * (auth, storage, extensions, graphql_public, realtime, ...), tables, grants, default privileges and event triggers
 * come from src/backup/supabase-platform.ts (the same SQL `backup restore --bootstrap` runs). Extensions this
 * machine lacks (pg_graphql, supabase_vault, pgsodium, pg_net, pg_cron, supautils) are left out; what supautils
 * grants `postgres` is emulated with plain grants (see POSTGRES_PRIVILEGES there).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { supabasePlatformSql } from '../../src/backup/supabase-platform.js';
import { startPostgres, type Postgres } from './postgres.js';

export interface SupabaseProject {
  /** The cluster, with `supabase_admin` as its superuser (psql() runs as supabase_admin). */
  admin: Postgres;
  /** What the user gets from the dashboard: postgresql://postgres:<password>@host:port/postgres (no superuser). */
  url: string;
  password: string;
  /** Runs SQL as `postgres` (or another login role of the project) in the `postgres` database; tuples only. */
  psql(sql: string, user?: string): string;
  stop(): Promise<void>;
}

/** Starts a fresh Supabase-shaped project (its own cluster: roles are cluster-wide, so projects never share them). */
export async function startSupabasePostgres(): Promise<SupabaseProject> {
  const admin = await startPostgres({ superuser: 'supabase_admin' });
  try {
    const password = `lab-pg-${Math.random().toString(36).slice(2, 10)}`;
    admin.psql('postgres', supabasePlatformSql('postgres'));
    admin.psql(
      'postgres',
      `ALTER ROLE postgres WITH LOGIN PASSWORD '${password}'; ALTER ROLE postgres SET search_path TO "$user", public, extensions`,
    );
    // Sanity: the demoted postgres really is no superuser (a lab that quietly restored as superuser proves nothing).
    if (admin.psql('postgres', `SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'`) !== 'f')
      throw new Error('lab: postgres must not be a superuser');
    const url = `postgresql://postgres:${encodeURIComponent(password)}@${admin.host}:${admin.port}/postgres`;
    const psql = (sql: string, user = 'postgres') =>
      execFileSync(
        path.join(admin.binDir, 'psql'),
        [
          '-X',
          '-v',
          'ON_ERROR_STOP=1',
          '-At',
          '-h',
          admin.host,
          '-p',
          String(admin.port),
          '-U',
          user,
          '-d',
          'postgres',
          '-c',
          sql,
        ],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            PGPASSWORD: user === 'postgres' ? password : admin.password,
            PGOPTIONS: '-c client_min_messages=warning',
          },
          maxBuffer: 64 * 1024 * 1024,
        },
      ).trim();
    return { admin, url, password, psql, stop: () => admin.stop() };
  } catch (err) {
    await admin.stop();
    throw err;
  }
}
