/**
 * What integration tests use: the run's shared moto_server and PostgreSQL (started by global-setup), and helpers.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { awsEnvFor } from './index.js';

function need(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: run integration tests through jest (the lab's global setup starts the stand-ins)`,
    );
  return v;
}

export function motoUrl(): string {
  return need('LAB_MOTO_URL');
}

/** Sets the standard AWS variables of this process to the lab's moto (and optionally a Lightsail fake). */
export function useLabAws(extra: { lightsail?: string } = {}): void {
  Object.assign(process.env, awsEnvFor({ moto: motoUrl(), lightsail: extra.lightsail }));
}

/** The shared PostgreSQL server, with helpers to make scratch databases. */
export const pg = {
  get host() {
    return need('LAB_PG_HOST');
  },
  get port() {
    return Number(need('LAB_PG_PORT'));
  },
  get user() {
    return need('LAB_PG_USER');
  },
  get password() {
    return need('LAB_PG_PASSWORD');
  },
  get binDir() {
    return need('LAB_PG_BINDIR');
  },
  get major() {
    return Number(need('LAB_PG_MAJOR'));
  },
  urlFor(db: string): string {
    return `postgresql://${this.user}:${encodeURIComponent(this.password)}@${this.host}:${this.port}/${db}`;
  },
  psql(db: string, sql: string): string {
    return execFileSync(
      path.join(this.binDir, 'psql'),
      [
        '-X',
        '-v',
        'ON_ERROR_STOP=1',
        '-At',
        '-h',
        this.host,
        '-p',
        String(this.port),
        '-U',
        this.user,
        '-d',
        db,
        '-c',
        sql,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: this.password, PGOPTIONS: '-c client_min_messages=warning' },
        maxBuffer: 64 * 1024 * 1024,
      },
    ).trim();
  },
  createDatabase(db: string): string {
    this.psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    this.psql('postgres', `CREATE DATABASE "${db}"`);
    return this.urlFor(db);
  },
};

/** A name unique to this test run, for buckets and databases (lowercase, DNS-safe). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
