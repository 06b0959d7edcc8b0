import { OpsError } from '../core/errors.js';
import { runTool, ToolFailed } from '../core/process.js';
import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import { findPsql } from './pg-tools.js';
import { supabasePlatformSql } from './supabase-platform.js';

/**
 * `backup restore --bootstrap`: gives a plain PostgreSQL database what a Supabase-mode backup expects of a fresh
 * project (the platform's roles, the auth/storage/extensions schemas and tables, grants, default privileges), so
 * that the backup restores there for inspection and drills. Needs a superuser; idempotent; one transaction.
 */
export async function bootstrapSupabasePlatform(conn: PgConnection, reporter: Reporter): Promise<void> {
  reporter.info(`bootstrapping Supabase's platform roles and schemas in ${conn.dbname} on ${conn.host}:${conn.port}`);
  try {
    await runTool(
      findPsql(),
      [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '--single-transaction',
        '-c',
        supabasePlatformSql(conn.dbname),
        '--dbname',
        urlWithoutPassword(conn),
      ],
      { env: pgEnv(conn), timeoutMs: 120000, redact: (t) => reporter.redact(t) },
    );
  } catch (err) {
    if (!(err instanceof ToolFailed)) throw err;
    throw new OpsError(reporter.redact(`bootstrap of ${conn.dbname} failed (it needs a superuser): ${err.detail}`));
  }
}
