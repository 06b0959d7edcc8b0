import { describe, expect, it } from '@jest/globals';
import { checkPgDumpArgs, checkScratchDumpArgs, splitArgs } from './args.js';
import { pgDumpArgs } from './backup.js';
import { parseDatabaseUrl } from './database-url.js';

describe('pg_dump arguments', () => {
  it('splits extra arguments like a shell', () => {
    expect(splitArgs(`--exclude-table-data='public.audit log'\n --schema="a b" -n x\\ y`)).toEqual([
      '--exclude-table-data=public.audit log',
      '--schema=a b',
      '-n',
      'x y',
    ]);
    expect(splitArgs('  ')).toEqual([]);
    expect(() => splitArgs(`--schema='oops`)).toThrow(/Input 'pg-dump-args': unterminated ' quote/);
  });

  it('refuses options the backup sets itself', () => {
    expect(() => checkPgDumpArgs(['--format=custom'])).toThrow(/'--format' is set by the backup itself/);
    expect(() => checkPgDumpArgs(['-Fc'])).toThrow(/set by the backup/);
    expect(() => checkPgDumpArgs(['--dbname=postgresql://x'])).toThrow(/set by the backup/);
    expect(() => checkPgDumpArgs(['public'])).toThrow(/options starting with -/);
    expect(() =>
      checkPgDumpArgs(['--exclude-schema=graphql', '-n', 'public'].filter((a) => a.startsWith('-'))),
    ).not.toThrow();
  });

  it('dumps plain SQL without owners or publications, with privileges, and never puts the password in argv', () => {
    const args = pgDumpArgs(parseDatabaseUrl('postgresql://postgres:s3cret@db.x.supabase.co:5432/postgres'), [
      '--exclude-schema=graphql',
    ]);
    expect(args).toEqual(
      expect.arrayContaining([
        '--format=plain',
        '--no-owner',
        '--no-publications',
        '--no-subscriptions',
        '--exclude-schema=graphql',
      ]),
    );
    expect(args).not.toContain('--no-privileges');
    expect(args.join(' ')).not.toContain('s3cret');
    expect(args[args.length - 1]).toBe('--dbname=postgresql://postgres@db.x.supabase.co:5432/postgres');
  });

  it('refuses DROP/CREATE options when the backup goes straight into a scratch database', () => {
    for (const a of ['--clean', '-c', '-Oc', '-C', '--if-exists'])
      expect(() => checkScratchDumpArgs([a])).toThrow(
        /^Input 'pg-dump-args': .*refused when the backup is restored into a scratch/,
      );
    expect(() => checkScratchDumpArgs(['-tcustomers', '--exclude-table-data=public.clean', '-O'])).not.toThrow();
  });
});
