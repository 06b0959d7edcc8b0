import { describe, expect, it } from '@jest/globals';
import { InputError } from '../core/errors.js';
import { parseDatabaseUrl, pgEnv, urlWithoutPassword } from './database-url.js';

describe('database URL', () => {
  it('splits a Supabase URL so the password can travel in PGPASSWORD', () => {
    const c = parseDatabaseUrl(
      'postgresql://postgres.abcd:p%40ss%2Fw0rd@aws-0-ap-northeast-1.pooler.supabase.com:5432/postgres?sslmode=require',
    );
    expect(c).toMatchObject({
      host: 'aws-0-ap-northeast-1.pooler.supabase.com',
      port: 5432,
      user: 'postgres.abcd',
      password: 'p@ss/w0rd',
      dbname: 'postgres',
    });
    expect(urlWithoutPassword(c)).toBe(
      'postgresql://postgres.abcd@aws-0-ap-northeast-1.pooler.supabase.com:5432/postgres?sslmode=require',
    );
    expect(pgEnv(c, { PATH: '/bin', PGHOST: 'elsewhere', PGPASSWORD: 'old', PGSSLROOTCERT: '/ca.pem' })).toEqual({
      PATH: '/bin',
      PGSSLROOTCERT: '/ca.pem',
      PGPASSWORD: 'p@ss/w0rd',
    });
    expect(parseDatabaseUrl('postgres://u@h/d').port).toBe(5432);
  });

  it('moves a ?password= query parameter to PGPASSWORD, never onto the command line (libpq: it overrides user info)', () => {
    const c = parseDatabaseUrl(
      'postgresql://app:old@db.example:5432/app?sslmode=require&password=s3cr%26t+x&application_name=a',
    );
    expect(c.password).toBe('s3cr&t+x');
    expect(urlWithoutPassword(c)).toBe('postgresql://app@db.example:5432/app?sslmode=require&application_name=a');
    expect(pgEnv(c, {}).PGPASSWORD).toBe('s3cr&t+x');
    expect(urlWithoutPassword(parseDatabaseUrl('postgresql://app@h/d?pass%77ord=s3cret'))).not.toContain('s3cret');
  });

  it('refuses sslpassword (libpq has no variable for it, so it would be on the command line) without quoting it', () => {
    expect(() => parseDatabaseUrl('postgresql://app@h/d?sslpassword=k3ypass')).toThrow(
      /^Input 'database-url': the 'sslpassword' parameter/,
    );
    expect(() => parseDatabaseUrl('postgresql://app@h/d?sslpassword=k3ypass')).not.toThrow(/k3ypass/);
  });

  it("refuses the transaction pooler's port 6543, pointing to the session pooler", () => {
    expect(() => parseDatabaseUrl('postgresql://u:pw@h:6543/postgres')).toThrow(/session pooler on port 5432/);
  });

  it.each([
    ['not a url at all secretpw', /expected a URL/],
    ['postgresql://u:secretpw@h:99999/d', /expected a URL/],
    ['mysql://u:secretpw@h/d', /postgresql:\/\//],
    ['postgresql://u:secretpw@h:5432/', /database name/],
    ['postgresql://:secretpw@h:5432/d', /user name/],
  ])('rejects %s as bad input without quoting it', (url, msg) => {
    let err: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^Input 'database-url': /);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).not.toContain('secretpw');
  });
});
