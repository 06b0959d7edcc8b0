import { OpsError } from '../core/errors.js';
import { runTool, ToolFailed } from '../core/process.js';
import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import { connectFailed, findPsql } from './pg-tools.js';

/**
 * Who a database is, asked of the server itself (host names say nothing: `localhost` and `127.0.0.1`, or Supabase's
 * pooler and direct hosts, reach the same server). The cluster's system identifier when the role may read
 * pg_control_system(), else the postmaster's start time (to the microsecond); with the database's OID.
 */
export interface ServerIdentity {
  systemIdentifier?: string;
  postmasterStart: string;
  databaseOid: string;
}

export interface ServerFacts {
  identity: ServerIdentity;
  timeZone: string;
  byteaOutput: string;
}

const QUERY = [
  'SELECT d.oid::text, pg_postmaster_start_time()::text,',
  "  CASE WHEN has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') THEN (SELECT system_identifier::text FROM pg_catalog.pg_control_system()) END,",
  "  current_setting('TimeZone'), current_setting('bytea_output')",
  'FROM pg_catalog.pg_database d WHERE d.datname = current_database()',
].join(' ');

export async function serverFacts(
  conn: PgConnection,
  reporter: Reporter,
  psql = findPsql(),
  signal?: AbortSignal,
): Promise<ServerFacts> {
  try {
    const stdout = await runTool(
      psql,
      ['-X', '-A', '-t', '-F', '\t', '-c', QUERY, '--dbname', urlWithoutPassword(conn)],
      {
        env: { ...pgEnv(conn), PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '20' },
        timeoutMs: 60000,
        signal,
        redact: (t) => reporter.redact(t),
      },
    );
    const [oid, start, sysid, tz, bytea] = stdout.replace(/\n$/, '').split('\t');
    if (!oid || !start) throw new OpsError(`psql: unexpected answer about the server of ${conn.dbname}`);
    return {
      identity: { databaseOid: oid, postmasterStart: start, ...(sysid ? { systemIdentifier: sysid } : {}) },
      timeZone: tz || 'UTC',
      byteaOutput: bytea || 'hex',
    };
  } catch (err) {
    if (!(err instanceof ToolFailed) || err.cancelled) throw err;
    throw new OpsError(
      `${connectFailed(err)}psql (asking ${conn.host}:${conn.port}/${conn.dbname} who it is): ${err.detail}`,
    );
  }
}

/** Whether two identities are the same database of the same server. */
export function sameDatabase(a: ServerIdentity, b: ServerIdentity): boolean {
  if (a.databaseOid !== b.databaseOid) return false;
  if (a.systemIdentifier && b.systemIdentifier) return a.systemIdentifier === b.systemIdentifier;
  return a.postmasterStart === b.postmasterStart;
}
