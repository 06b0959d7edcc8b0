import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface Postgres {
  /** Superuser URL with a password (host connection, scram-sha-256). */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The server's major version. */
  major: number;
  binDir: string;
  /** URL of another database on the same server. */
  urlFor(db: string): string;
  /** Creates a database (dropping an old one of that name) and returns its URL. */
  createDatabase(db: string): string;
  /** Runs SQL with psql against a database and returns the unaligned, tuples-only output. */
  psql(db: string, sql: string): string;
  stop(): Promise<void>;
}

/** Highest installed PostgreSQL server, from /usr/lib/postgresql/<N>/bin (Debian's layout). */
export function findServerBin(preferred = 15): { binDir: string; major: number } {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .map(Number)
        .filter((n) => Number.isInteger(n) && existsSync(path.join(root, String(n), 'bin', 'initdb')))
        .sort((a, b) => b - a)
    : [];
  const major = majors.includes(preferred) ? preferred : majors[0];
  if (major === undefined) {
    throw new Error(
      'PostgreSQL server binaries not found under /usr/lib/postgresql/<N>/bin: install them with `apt-get install postgresql-15` (or `postgresql`)',
    );
  }
  return { binDir: path.join(root, String(major), 'bin'), major };
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a server binary as the postgres user when we are root (postgres refuses to run as root). */
function asPostgres(bin: string, args: string[], opts: { cwd?: string } = {}): string {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const res = spawnSync(cmd, argv, { encoding: 'utf8', cwd: opts.cwd ?? '/' });
  if (res.status !== 0) {
    throw new Error(
      `${path.basename(bin)} failed (exit ${res.status}): ${(res.stderr || res.stdout || String(res.error)).trim()}`,
    );
  }
  return res.stdout;
}

/**
 * Starts a throwaway PostgreSQL cluster in a temp dir on a free loopback port, with password authentication.
 * `superuser` names the bootstrap superuser (default postgres; Supabase's image uses supabase_admin).
 */
export async function startPostgres(options: { superuser?: string } = {}): Promise<Postgres> {
  const { binDir, major } = findServerBin();
  if (isRoot() && spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      'the postgres user does not exist: install PostgreSQL with `apt-get install postgresql-15`, which creates it',
    );
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shisha-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const user = options.superuser ?? 'postgres';
  const password = `lab-pw-${Math.random().toString(36).slice(2, 10)}`;
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, password + '\n', { mode: 0o644 });
  asPostgres(path.join(binDir, 'initdb'), [
    '-D',
    data,
    '-U',
    user,
    '--pwfile',
    pwfile,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  rmSync(pwfile);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  asPostgres(path.join(binDir, 'pg_ctl'), [
    '-D',
    data,
    '-o',
    opts,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  const host = '127.0.0.1';
  const urlFor = (db: string) => `postgresql://${user}:${encodeURIComponent(password)}@${host}:${port}/${db}`;
  const psqlBin = path.join(binDir, 'psql');
  const psql = (db: string, sql: string) =>
    execFileSync(
      psqlBin,
      ['-X', '-v', 'ON_ERROR_STOP=1', '-At', '-h', host, '-p', String(port), '-U', user, '-d', db, '-c', sql],
      {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: password, PGOPTIONS: '-c client_min_messages=warning' },
        maxBuffer: 64 * 1024 * 1024,
      },
    ).trim();
  return {
    url: urlFor('postgres'),
    host,
    port,
    user,
    password,
    major,
    binDir,
    urlFor,
    psql,
    createDatabase(db: string) {
      psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      psql('postgres', `CREATE DATABASE "${db}"`);
      return urlFor(db);
    },
    async stop() {
      try {
        asPostgres(path.join(binDir, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
