import { describe, expect, it } from '@jest/globals';
import { TerminalReporter } from './reporter-terminal.js';
import { maskUrlPasswords, Redactor, secretsOfUrl } from './secrets.js';
import { runJob } from './run.js';
import { OpsError } from './errors.js';

function sink() {
  const chunks: string[] = [];
  return { write: (c: string) => chunks.push(c), text: () => chunks.join('') };
}

describe('secret masking', () => {
  it('masks registered secrets, their URL-encoded form, and passwords in any URL', () => {
    const r = new Redactor();
    r.add('p@ss/word!');
    expect(r.redact('pw=p@ss/word! enc=p%40ss%2Fword!')).toBe('pw=*** enc=***');
    expect(maskUrlPasswords('postgresql://postgres.abc:s3cr3t@aws-0.pooler.supabase.com:5432/postgres')).toBe(
      'postgresql://postgres.abc:***@aws-0.pooler.supabase.com:5432/postgres',
    );
  });

  it('a registered connection URL masks its password alone, encoded and decoded (issue #12)', () => {
    const r = new Redactor();
    r.add('postgres://app:Sup3r%40Secret@db.example.com:5432/shisha');
    expect(r.redact('password Sup3r@Secret, encoded Sup3r%40Secret')).toBe('password ***, encoded ***');
  });

  it('masks the JSON-escaped form of a secret (a log line that is JSON)', () => {
    const r = new Redactor();
    r.add('pa"ss\\word');
    expect(r.redact(JSON.stringify({ msg: 'login', password: 'pa"ss\\word' }))).toBe(
      '{"msg":"login","password":"***"}',
    );
  });

  it("masks the Basic-auth header value of a URL's user:password, encoded and decoded", () => {
    const r = new Redactor();
    r.add('https://deploy:Sup3r%40Secret@registry.example/v2');
    const header = (pair: string) => `Authorization: Basic ${Buffer.from(pair).toString('base64')}`;
    expect(r.redact(header('deploy:Sup3r@Secret'))).not.toContain(
      Buffer.from('deploy:Sup3r@Secret').toString('base64').replace(/=+$/, ''),
    );
    expect(r.redact(header('deploy:Sup3r%40Secret'))).toMatch(/^Authorization: Basic \*\*\*=*$/);
    expect(r.redact(header('deploy:Sup3r@Secret'))).toMatch(/^Authorization: Basic \*\*\*=*$/);
  });

  it('masks each line of a multi-line secret printed line by line, but not its short lines', () => {
    const key =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nq1w2e3r4t5y6u7i8o9p0\nEND\n-----END PRIVATE KEY-----';
    const r = new Redactor();
    r.add(key);
    const printed = key.split('\n').map((line) => r.redact(`app: ${line}`));
    expect(printed).toEqual(['app: ***', 'app: ***', 'app: ***', 'app: END', 'app: ***']);
  });

  it('finds the secrets inside a database URL', () => {
    const url = 'postgresql://u:p%40ss@db.example.com:5432/app';
    expect(secretsOfUrl(url)).toEqual([url, 'p%40ss', 'p@ss']);
  });

  it('keeps secrets out of everything the terminal reporter prints, including errors and outputs', async () => {
    const out = sink();
    const err = sink();
    const rep = new TerminalReporter(out, err);
    rep.secret('hunter2-very-secret');
    const code = await runJob(rep, async () => {
      rep.info('connecting with hunter2-very-secret');
      rep.output('note', 'value hunter2-very-secret');
      rep.summary({
        title: 'Done',
        table: [
          ['k', 'v'],
          ['pw', 'hunter2-very-secret'],
        ],
      });
      throw new OpsError('pg_dump failed: password authentication failed for hunter2-very-secret');
    });
    expect(code).toBe(1);
    const all = out.text() + err.text();
    expect(all).not.toContain('hunter2');
    expect(err.text()).toContain('error: pg_dump failed: password authentication failed for ***');
    expect(out.text()).toContain('value ***');
  });
});
