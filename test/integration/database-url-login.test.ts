import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseDatabaseUrl, pgEnv, urlWithoutPassword } from '../../src/backup/database-url.js';
import { serverVersionNum } from '../../src/backup/pg-tools.js';
import { captureReporter } from '../lab/capture.js';
import { startPostgres, type Postgres } from '../lab/index.js';

// A password given as `?password=` logs in (libpq reads PGPASSWORD) while the argv our code passes to psql/pg_dump
// holds no trace of it (argv is visible to every user of the machine in `ps`).
describe('a ?password= database URL against a real Postgres login', () => {
  let pg: Postgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('logs in with the password in PGPASSWORD and keeps it off the command line', async () => {
    const conn = parseDatabaseUrl(
      `postgresql://${pg.user}@${pg.host}:${pg.port}/postgres?sslmode=disable&password=${encodeURIComponent(pg.password)}`,
    );
    const argv = ['-X', '-At', '-c', 'SELECT current_user', '--dbname', urlWithoutPassword(conn)];
    expect(argv.join(' ')).not.toContain(pg.password);
    expect(argv.join(' ')).not.toContain(encodeURIComponent(pg.password));
    const { stdout } = await promisify(execFile)(path.join(pg.binDir, 'psql'), argv, { env: pgEnv(conn) });
    expect(stdout.trim()).toBe(pg.user);
    expect(
      await serverVersionNum(conn, captureReporter(true).reporter, path.join(pg.binDir, 'psql')),
    ).toBeGreaterThanOrEqual(pg.major * 10000);
  });
});
