import { OpsError } from '../core/errors.js';
import { startTool } from '../core/process.js';
import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';
import { findPsql } from './pg-tools.js';

/** A snapshot exported by an open transaction: every pg_dump given `--snapshot=<id>` sees the database as of it. */
export interface SharedSnapshot {
  id: string;
  /** Ends the exporting transaction (after the last dump). */
  close(): Promise<void>;
}

/**
 * Opens a read-only REPEATABLE READ transaction in a psql session and exports its snapshot, so that the several
 * pg_dump runs of one backup (and our catalog query) see one consistent state of the database, as a single pg_dump
 * would. The session stays open until close().
 */
export async function exportSnapshot(
  conn: PgConnection,
  reporter: Reporter,
  timeoutMs = 60000,
): Promise<SharedSnapshot> {
  const child = startTool(
    findPsql(),
    ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '--dbname', urlWithoutPassword(conn)],
    {
      env: { ...pgEnv(conn), PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '20' },
      stdin: 'pipe',
      redact: (t) => reporter.redact(t),
    },
  );
  const id = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => /^[0-9A-F-]+$/i.test(l.trim()));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    void child.exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(child.failure(exit).detail));
    });
    child.stdin.write('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\nSELECT pg_export_snapshot();\n');
  }).catch((err: unknown) => {
    child.stop('SIGTERM');
    throw new OpsError(
      reporter.redact(
        `psql (exporting a snapshot for a consistent backup): ${err instanceof Error ? err.message : String(err)}`,
      ),
    );
  });
  return {
    id,
    async close() {
      if (child.running) child.stdin.end('COMMIT;\n');
      await child.exited;
    },
  };
}
