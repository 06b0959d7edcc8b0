import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { PG_DUMP_COMPLETE, ScanRefusal, SqlScanner, STREAM_HEADER, STREAM_TRAILER } from './sql-scanner.js';

const KEY = 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9';

/** A dump shaped like pg_dump 15.14+ writes it (with \restrict). */
function dump(body: string, opts: { trailer?: boolean } = {}): string {
  return [
    '--',
    '-- PostgreSQL database dump',
    '--',
    '',
    `\\restrict ${KEY}`,
    '',
    "SET client_encoding = 'UTF8';",
    'SET standard_conforming_strings = on;',
    "SELECT pg_catalog.set_config('search_path', '', false);",
    body,
    ...(opts.trailer === false ? [] : ['--', PG_DUMP_COMPLETE, '--', '', `\\unrestrict ${KEY}`, '']),
  ].join('\n');
}

const TABLE = [
  'CREATE TABLE "public"."t" ("id" integer NOT NULL, "note" "text");',
  'COMMENT ON TABLE "public"."t" IS \'a path C:\\temp and a regex ^\\d+$\';',
  'CREATE FUNCTION "public"."f"() RETURNS "text" LANGUAGE "plpgsql" AS $_$',
  'BEGIN',
  "  RETURN E'x'; -- not our literal, inside the body: \\! ignored by psql",
  'END $_$;',
  'COPY "public"."t" ("id", "note") FROM stdin;',
  '1\tsmoke \\\\ and \\N',
  '2\t\\N',
  '3\t\\.not the end',
  '\\.',
  '',
  'ALTER TABLE ONLY "public"."t" ADD CONSTRAINT "t_pkey" PRIMARY KEY ("id");',
].join('\n');

function scan(text: string, guard = true, chunk = 0): SqlScanner {
  const s = new SqlScanner({ guard });
  const buf = Buffer.from(text, 'utf8');
  if (!chunk) s.push(buf);
  else for (let i = 0; i < buf.length; i += chunk) s.push(buf.subarray(i, i + chunk));
  return s;
}

describe('SqlScanner', () => {
  it('counts and hashes COPY data exactly, whatever the chunking', () => {
    const rows = '1\tsmoke \\\\ and \\N\n2\t\\N\n3\t\\.not the end\n';
    const expected = [
      {
        name: 'public.t',
        copy: '"public"."t" ("id", "note")',
        rows: 3,
        sha256: createHash('sha256').update(rows).digest('hex'),
      },
    ];
    for (const chunk of [0, 1, 2, 3, 5, 7, 64]) {
      const s = scan(dump(TABLE), true, chunk);
      expect(s.incompleteReason()).toBeUndefined();
      expect(s.tableData()).toEqual(expected);
    }
  });

  it('finds a dump cut short: no trailer, inside COPY data, mid-statement', () => {
    expect(scan(dump(TABLE, { trailer: false })).incompleteReason()).toMatch(
      /last line is not '-- PostgreSQL database dump complete'/,
    );
    const text = dump(TABLE);
    expect(scan(text.slice(0, text.indexOf('2\t\\N'))).incompleteReason()).toBe('it ends inside the data of a COPY');
    expect(scan(text.slice(0, text.indexOf('LANGUAGE'))).incompleteReason()).toBe(
      'it ends in the middle of a statement',
    );
    expect(scan(text.slice(0, text.indexOf('BEGIN'))).incompleteReason()).toMatch(
      /inside a quoted string, dollar-quoted body/,
    );
    expect(scan(text.replace(`\\unrestrict ${KEY}`, '')).incompleteReason()).toMatch(/no \\unrestrict/);
  });

  it('with our header, only our closing line makes it complete (several pg_dumps in one stream)', () => {
    const part = dump(TABLE);
    const whole = `${STREAM_HEADER}\n${part}${part.replace(/"t"/g, '"u"')}${STREAM_TRAILER}\n`;
    expect(scan(whole).incompleteReason()).toBeUndefined();
    expect(scan(`${STREAM_HEADER}\n${part}`).incompleteReason()).toMatch(
      /last line is not '-- shisha-ops backup complete'/,
    );
  });

  it.each([
    ['\\! touch /tmp/x', /line 10: a psql meta-command .*: \\! touch \/tmp\/x$/],
    ['SELECT 1; \\! touch /tmp/x', /meta-command/],
    ["SELECT 'a' \\o |sh", /meta-command/],
    ["\\copy t from program 'id'", /meta-command/],
    ['\\unrestrict wrongkey', /key other than/],
    ["SELECT 'ends with backslash\\' \\! id --'", /backslash before a quote/],
    ["SELECT E'\\' \\! id'", /backslash in an E/],
    ["SET client_encoding = 'SJIS';", /client_encoding/],
    ["SELECT set_config('standard_conforming_strings', 'off', false);", /standard_conforming_strings/],
    ['COPY "public"."t" FROM PROGRAM \'id\';', /a COPY other than/],
    ['copy t from stdin;', /a COPY other than/],
    ['COMMIT;', /transaction control/],
    ['BEGIN; SELECT 1;', /transaction control/],
    ['SELECT 1; COMMIT;', /transaction control/],
    ['START TRANSACTION;', /transaction control/],
    [`BEGIN;\nSELECT pg_catalog.lo_open('16388', 131072);\nCOMMIT;\nCOMMIT;`, /transaction control/],
    [
      `BEGIN;\nSELECT pg_catalog.lo_open('16388', 131072);\nDROP TABLE "public"."t";\nCOMMIT;`,
      /large-object data other than/,
    ],
    [`BEGIN;\nSELECT pg_catalog.lowrite(0, E'\\\\x00');\nCOMMIT;`, /large-object data other than/],
  ])('refuses %s and says which line', (line, message) => {
    const err = (() => {
      try {
        scan(dump(line));
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ScanRefusal);
    expect(err?.message).toMatch(message);
  });

  it('does not take a COPY line inside a statement, a BEGIN ATOMIC body or a literal for COPY data', () => {
    // psql keeps reading the function body after `BEGIN ATOMIC;`: the COPY line is SQL text, the next line a meta-command.
    const atomic = [
      'CREATE FUNCTION "public"."g"() RETURNS integer LANGUAGE "sql" BEGIN ATOMIC;',
      'COPY "public"."t" ("id") FROM stdin;',
      '\\! id',
      'END;',
    ].join('\n');
    expect(() => scan(dump(atomic))).toThrow(/line 12: a psql meta-command/);
    const paren = ['SELECT (', 'COPY "public"."t" ("id") FROM stdin;', '\\! id', ');'].join('\n');
    expect(() => scan(dump(paren))).toThrow(/meta-command/);
    const dollar = ['CREATE FUNCTION "public"."h"() RETURNS void LANGUAGE "sql" AS $$', '\\! id', '$$;'].join('\n');
    expect(() => scan(dump(dollar))).not.toThrow();
  });

  // pg_dump 15.18's plain output for two large objects (one with a comment and one with a grant), as it wrote them.
  const LARGE_OBJECTS = [
    "SELECT pg_catalog.lo_create('16388');",
    "COMMENT ON LARGE OBJECT 16388 IS 'c';",
    'COPY "public"."t" ("id", "doc") FROM stdin;',
    '1\t16388',
    '\\.',
    '',
    'BEGIN;',
    '',
    "SELECT pg_catalog.lo_open('16388', 131072);",
    "SELECT pg_catalog.lowrite(0, '\\x68656c6c6f20776f726c64');",
    'SELECT pg_catalog.lo_close(0);',
    '',
    "SELECT pg_catalog.lo_open('16389', 131072);",
    'SELECT pg_catalog.lo_close(0);',
    '',
    'COMMIT;',
    '',
    'GRANT SELECT ON LARGE OBJECT 16388 TO "reader";',
  ].join('\n');

  it("accepts pg_dump's BEGIN/COMMIT around large-object data and passes on everything else, whatever the chunking", () => {
    const text = dump(LARGE_OBJECTS);
    const want = text.replace('\nBEGIN;\n', '\n').replace('\nCOMMIT;\n', '\n');
    for (const chunk of [0, 1, 2, 3, 7, 64]) {
      const out: Buffer[] = [];
      const s = new SqlScanner({ guard: true, pass: (b) => out.push(Buffer.from(b)) });
      const buf = Buffer.from(text);
      if (!chunk) s.push(buf);
      else for (let i = 0; i < buf.length; i += chunk) s.push(buf.subarray(i, i + chunk));
      expect(s.incompleteReason()).toBeUndefined();
      expect(Buffer.concat(out).toString()).toBe(want);
      expect(s.tableData().map((t) => [t.name, t.rows])).toEqual([['public.t', 1]]);
    }
  });

  it("finds a dump cut inside pg_dump's large-object data", () => {
    const text = dump(LARGE_OBJECTS);
    expect(scan(text.slice(0, text.indexOf('COMMIT;'))).incompleteReason()).toMatch(
      /inside pg_dump's large-object data/,
    );
  });

  it('with guard off (at dump time) collects what a restore would refuse instead of throwing', () => {
    const s = scan(dump('COMMENT ON TABLE "public"."t" IS \'C:\\\';'), false);
    expect(s.problems).toEqual([expect.stringMatching(/^line 10: a backslash before a quote/)]);
    expect(s.incompleteReason()).toBeUndefined();
  });
});
