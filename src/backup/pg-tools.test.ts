import { describe, expect, it } from '@jest/globals';
import {
  choosePgDump,
  formatVersionNum,
  ipv6Advice,
  majorOfVersionNum,
  parsePgVersion,
  type PgDumpCandidate,
} from './pg-tools.js';

const c = (major: number, onPath = false): PgDumpCandidate => ({
  path: onPath ? '/usr/bin/pg_dump' : `/usr/lib/postgresql/${major}/bin/pg_dump`,
  version: `${major}.3`,
  major,
  onPath,
});

describe('pg_dump versions', () => {
  it('parses pg_dump --version and server_version_num', () => {
    expect(parsePgVersion('pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n')).toEqual({
      version: '15.18',
      major: 15,
    });
    expect(parsePgVersion('pg_dump (PostgreSQL) 17devel')).toEqual({ version: '17', major: 17 });
    expect(parsePgVersion('nonsense')).toBeUndefined();
    expect(majorOfVersionNum(150004)).toBe(15);
    expect(majorOfVersionNum(90624)).toBe(9);
    expect(formatVersionNum(170002)).toBe('17.2');
    expect(formatVersionNum(90624)).toBe('9.6.24');
  });

  it('uses the pg_dump on PATH when it is new enough', () => {
    expect(choosePgDump([c(16, true), c(15), c(17)], 15).path).toBe('/usr/bin/pg_dump');
  });

  it('otherwise picks the installed major closest to the server, never an older one', () => {
    expect(choosePgDump([c(14, true), c(14), c(16), c(17)], 15).path).toBe('/usr/lib/postgresql/16/bin/pg_dump');
    expect(choosePgDump([c(15, true), c(15), c(17)], 17).path).toBe('/usr/lib/postgresql/17/bin/pg_dump');
  });

  it('refuses when every pg_dump is older, naming the client package to install', () => {
    expect(() => choosePgDump([c(15, true), c(15)], 17)).toThrow(
      /pg_dump must be at least the server's major version 17 \(installed: 15 .*\): install postgresql-client-17 \(apt-get install postgresql-client-17/,
    );
    expect(() => choosePgDump([], 15)).toThrow(/installed: none found/);
  });
});

describe('ipv6Advice', () => {
  const err = 'connection to server at "db.abcd.supabase.co" (2406:da14::1), port 5432 failed: Network is unreachable';
  it('recommends the session pooler when an IPv6-only host is unreachable', () => {
    expect(ipv6Advice('db.abcd.supabase.co', err, [6])).toMatch(
      /only IPv6 addresses.*session pooler.*pooler\.supabase\.com:5432/,
    );
    expect(ipv6Advice('db.example.internal', 'connect EADDRNOTAVAIL', [6, 6])).toContain('session pooler');
    // Supabase's direct host even when the name could not be resolved here.
    expect(ipv6Advice('db.abcd.supabase.co', err, [])).toContain('session pooler');
  });
  it('says nothing for other errors or hosts with IPv4', () => {
    expect(ipv6Advice('db.abcd.supabase.co', 'password authentication failed for user "postgres"', [6])).toBe('');
    expect(ipv6Advice('db.example.com', 'Network is unreachable', [4, 6])).toBe('');
  });
});
