import { lookup } from 'node:dns/promises';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { OpsError } from '../core/errors.js';
import { runTool, ToolFailed } from '../core/process.js';
import type { Reporter } from '../core/reporter.js';
import { pgEnv, urlWithoutPassword, type PgConnection } from './database-url.js';

/** Debian/Ubuntu install every major side by side here (postgresql-client-<N>). */
export const PG_LIB_DIR = '/usr/lib/postgresql';

export interface PgDumpCandidate {
  path: string;
  /** Full version text, e.g. `15.18`. */
  version: string;
  major: number;
  /** Found on PATH (the user's choice) rather than under /usr/lib/postgresql. */
  onPath: boolean;
}

/** `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` → { version: '15.18', major: 15 }; 9.6 → major 9. */
export function parsePgVersion(text: string): { version: string; major: number } | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(text) ?? /^\s*(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { version: m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]!, major: Number(m[1]) };
}

/** server_version_num (e.g. 150004, 90624) → major (15, 9). */
export function majorOfVersionNum(num: number): number {
  return Math.floor(num / 10000);
}

/** `150004` → `15.4`; `90624` → `9.6.24`. */
export function formatVersionNum(num: number): string {
  if (num >= 100000) return `${Math.floor(num / 10000)}.${num % 10000}`;
  return `${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}.${num % 100}`;
}

/**
 * Picks the pg_dump for a server: the one on PATH when it is new enough (the user's choice), otherwise the
 * installed major closest to the server's (>= it). A pg_dump older than the server refuses to dump, so we refuse
 * first with the package to install.
 */
export function choosePgDump(candidates: PgDumpCandidate[], serverMajor: number): PgDumpCandidate {
  const onPath = candidates.find((c) => c.onPath && c.major >= serverMajor);
  if (onPath) return onPath;
  const ok = candidates.filter((c) => c.major >= serverMajor).sort((a, b) => a.major - b.major);
  if (ok[0]) return ok[0];
  const have = candidates.length ? candidates.map((c) => `${c.major} (${c.path})`).join(', ') : 'none found';
  throw new OpsError(
    `pg_dump must be at least the server's major version ${serverMajor} (installed: ${have}): install ` +
      `postgresql-client-${serverMajor} (apt-get install postgresql-client-${serverMajor}, from apt.postgresql.org) ` +
      `or put a pg_dump ${serverMajor}+ first on PATH`,
  );
}

async function versionOf(bin: string, signal?: AbortSignal): Promise<{ version: string; major: number } | undefined> {
  try {
    return parsePgVersion(await runTool(bin, ['--version'], { timeoutMs: 20000, signal }));
  } catch {
    return undefined;
  }
}

function onPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** pg_dump on PATH and every /usr/lib/postgresql/<N>/bin/pg_dump, with their versions. */
export async function findPgDumps(libDir = PG_LIB_DIR, signal?: AbortSignal): Promise<PgDumpCandidate[]> {
  const out: PgDumpCandidate[] = [];
  const first = onPath('pg_dump');
  if (first) {
    const v = await versionOf(first, signal);
    if (v) out.push({ path: first, ...v, onPath: true });
  }
  const dirs = existsSync(libDir) ? readdirSync(libDir).filter((d) => /^\d+$/.test(d)) : [];
  const found = await Promise.all(
    dirs
      .map((d) => path.join(libDir, d, 'bin', 'pg_dump'))
      .filter((p) => existsSync(p))
      .map(async (p) => ({ p, v: await versionOf(p, signal) })),
  );
  for (const { p, v } of found) if (v) out.push({ path: p, ...v, onPath: false });
  return out;
}

/** psql for our own queries and restores: PATH first, then the newest under /usr/lib/postgresql. */
export function findPsql(libDir = PG_LIB_DIR): string {
  const first = onPath('psql');
  if (first) return first;
  const dirs = existsSync(libDir)
    ? readdirSync(libDir)
        .filter((d) => /^\d+$/.test(d))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const d of dirs) {
    const p = path.join(libDir, d, 'bin', 'psql');
    if (existsSync(p)) return p;
  }
  throw new OpsError(
    'psql not found on PATH or under /usr/lib/postgresql/<N>/bin: install postgresql-client (apt-get install postgresql-client)',
  );
}

/** The server's version number (`SHOW server_version_num`), through psql with the password in the environment. */
export async function serverVersionNum(
  conn: PgConnection,
  reporter: Reporter,
  psql = findPsql(),
  signal?: AbortSignal,
): Promise<number> {
  try {
    const stdout = await runTool(
      psql,
      ['-X', '-A', '-t', '-c', 'SHOW server_version_num', '--dbname', urlWithoutPassword(conn)],
      {
        env: { ...pgEnv(conn), PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '20' },
        timeoutMs: 60000,
        signal,
        redact: (t) => reporter.redact(t),
      },
    );
    const n = Number(stdout.trim());
    if (!Number.isInteger(n) || n <= 0)
      throw new OpsError(`psql: unexpected server_version_num '${stdout.trim().slice(0, 40)}'`);
    return n;
  } catch (err) {
    if (!(err instanceof ToolFailed) || err.cancelled) throw err;
    throw new OpsError(
      `could not connect to the database to read its version (psql): ${err.detail}${await ipv6Hint(conn.host, err.stderrLines.join('\n'))}`,
    );
  }
}

/** Connection errors of a host this machine has no route to (an IPv6 address without IPv6 connectivity). */
const UNREACHABLE =
  /Network is unreachable|Cannot assign requested address|ENETUNREACH|EADDRNOTAVAIL|No route to host/i;

/**
 * The advice for a failed connection to an IPv6-only host: Supabase's direct host db.<ref>.supabase.co has only
 * an AAAA record without the IPv4 add-on, and GitHub-hosted runners have no IPv6. Empty when it does not apply.
 */
export function ipv6Advice(host: string, error: string, addressFamilies: number[]): string {
  if (!UNREACHABLE.test(error)) return '';
  const v6only = addressFamilies.length > 0 && addressFamilies.every((f) => f === 6);
  if (!v6only && !/^db\.[a-z0-9]+\.supabase\.co$/i.test(host)) return '';
  return (
    ` (${host} has only IPv6 addresses and this machine cannot reach IPv6 (GitHub-hosted runners have none): for Supabase use the ` +
    'session pooler, postgresql://postgres.<ref>:<password>@aws-0-<region>.pooler.supabase.com:5432/postgres (Connect > Session pooler), or buy the IPv4 add-on)'
  );
}

async function ipv6Hint(host: string, error: string): Promise<string> {
  if (!UNREACHABLE.test(error)) return '';
  const families = await lookup(host, { all: true }).then(
    (a) => a.map((x) => x.family),
    () => [] as number[],
  );
  return ipv6Advice(host, error, families);
}

/**
 * `could not connect to the database: ` when psql's exit says its connection failed (psql exits 2 when "the
 * connection to the server went bad", 1 or 3 for its own or the script's errors), else nothing: the start of a
 * check's message, so a wrong password reads the same whichever check met it first.
 */
export function connectFailed(err: ToolFailed): string {
  return err.exit.code === 2 ? 'could not connect to the database: ' : '';
}
