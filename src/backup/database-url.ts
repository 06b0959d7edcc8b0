import { InputError } from '../core/errors.js';

/** A Postgres connection, split so that the password travels in PGPASSWORD and never on a command line. */
export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  dbname: string;
  /** Query parameters (sslmode, ...), passed on to libpq unchanged. */
  params: URLSearchParams;
}

/** Supabase's transaction pooler (Supavisor in transaction mode): no session state, so pg_dump cannot work there. */
export const TRANSACTION_POOLER_PORT = 6543;

/**
 * Parses `postgres[ql]://user:password@host:port/dbname?params`. Errors name the input and what was expected and
 * never quote the URL (it holds the password).
 */
export function parseDatabaseUrl(url: string, input = 'database-url'): PgConnection {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new InputError(
      input,
      'expected a URL like postgresql://user:password@host:5432/dbname (the value given is not a URL)',
    );
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new InputError(input, `expected a postgresql:// or postgres:// URL, got a ${u.protocol}// URL`);
  }
  if (!u.hostname) throw new InputError(input, 'expected a host name (postgresql://user:password@host:5432/dbname)');
  const port = u.port ? Number(u.port) : 5432;
  if (port === TRANSACTION_POOLER_PORT) {
    throw new InputError(
      input,
      "port 6543 is Supabase's transaction pooler, which pg_dump cannot use: use the session pooler on port 5432 " +
        '(same host; the direct host db.<ref>.supabase.co is IPv6-only without the IPv4 add-on, and GitHub-hosted runners have no IPv6)',
    );
  }
  const dbname = decode(u.pathname.replace(/^\//, ''), input, 'database name');
  if (!dbname || dbname.includes('/'))
    throw new InputError(input, 'expected a database name in the path (postgresql://user:password@host:5432/dbname)');
  const user = decode(u.username, input, 'user name');
  if (!user) throw new InputError(input, 'expected a user name (postgresql://user:password@host:5432/dbname)');
  // libpq lets `?password=` override the user-info password; it moves to PGPASSWORD like that one, never onto argv.
  const params = new URLSearchParams(u.searchParams);
  const queryPassword = rawQueryValues(u.search, 'password').pop();
  params.delete('password');
  if (params.has('sslpassword')) {
    throw new InputError(
      input,
      "the 'sslpassword' parameter would show on the pg_dump/psql command line: decrypt the client key instead",
    );
  }
  const password =
    queryPassword !== undefined ? decode(queryPassword, input, 'password') : decode(u.password, input, 'password');
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, user, password, dbname, params };
}

/** The raw (still percent-encoded) values of a query parameter: libpq decodes %XX only, not `+` as URLSearchParams does. */
function rawQueryValues(search: string, name: string): string[] {
  return search
    .replace(/^\?/, '')
    .split('&')
    .map((pair) => [pair.split('=')[0] ?? '', pair.includes('=') ? pair.slice(pair.indexOf('=') + 1) : ''] as const)
    .filter(([key]) => new URLSearchParams(`${key}=`).has(name))
    .map(([, value]) => value);
}

function decode(s: string, input: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new InputError(input, `the ${what} is not valid percent-encoding`);
  }
}

/** The connection as a URL without the password (safe to pass as an argument; libpq reads PGPASSWORD). */
export function urlWithoutPassword(c: PgConnection): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  const q = c.params.toString();
  return `postgresql://${encodeURIComponent(c.user)}@${host}:${c.port}/${encodeURIComponent(c.dbname)}${q ? `?${q}` : ''}`;
}

/** Inherited libpq variables that would point the tools at another server, database, user or password. */
const REDIRECTING = new Set([
  'PGHOST',
  'PGHOSTADDR',
  'PGPORT',
  'PGDATABASE',
  'PGUSER',
  'PGPASSWORD',
  'PGPASSFILE',
  'PGSERVICE',
  'PGSERVICEFILE',
  'PGOPTIONS',
]);

/** The environment for libpq tools: the password in PGPASSWORD; SSL and other settings (PGSSLROOTCERT, ...) kept. */
export function pgEnv(c: PgConnection, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!REDIRECTING.has(k)) env[k] = v;
  if (c.password) env.PGPASSWORD = c.password;
  return env;
}
