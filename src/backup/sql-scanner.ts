import { createHash, type Hash } from 'node:crypto';

/**
 * One streaming pass over a plain-SQL dump as psql would read it. It serves two purposes with the same code:
 *
 * - the manifest: the row count and a sha256 of every table's COPY data (`COPY "s"."t" (...) FROM stdin;` up to
 *   the `\.` line), counted while the dump streams to S3 and again while a restore streams to psql;
 * - the restore guard: psql runs backslash meta-commands (`\! cmd`, `\o |cmd`, `\copy ... program`, ...) written
 *   anywhere outside quotes and comments. Outside COPY data the scanner lexes the SQL like psql does (quotes,
 *   dollar quotes, comments, parentheses and `BEGIN ... END` bodies that do not end a statement) and refuses every
 *   backslash except the lines our own dumps write: `\restrict KEY` / `\unrestrict KEY` (same key) and `\.`.
 *
 * Transaction control is refused (a restore is one transaction: a COMMIT in it would make what came before stay),
 * except pg_dump's own framing of large-object data: a `BEGIN;` line, then only `lo_open` / `lowrite` / `lo_close`
 * lines exactly as pg_dump writes them, then a `COMMIT;` line. A restore drops those two lines (see `pass`).
 *
 * Two things would let psql lex differently from this scanner, so both are refused: a `\'` inside a '...' literal
 * (its meaning depends on standard_conforming_strings) and a backslash inside an E'...' literal, plus any statement
 * that names client_encoding or standard_conforming_strings other than pg_dump's own `SET` lines.
 *
 * Memory: COPY data is hashed as it passes; only a line of SQL outside COPY data is held whole.
 */

export const PG_DUMP_COMPLETE = '-- PostgreSQL database dump complete';
/** The first and last lines our backups write around everything pg_dump (or several pg_dumps) produced. */
export const STREAM_HEADER = '-- shisha-ops backup: plain SQL; complete only with the closing line below';
export const STREAM_TRAILER = '-- shisha-ops backup complete';

export interface TableData {
  /** `schema.table`, unquoted, for people. */
  name: string;
  /** The COPY target as the dump writes it: `"schema"."table" ("col", ...)`. */
  copy: string;
  rows: number;
  sha256: string;
}

export class ScanRefusal extends Error {
  override name = 'ScanRefusal';
  constructor(
    readonly lineNo: number,
    readonly line: string,
    why: string,
  ) {
    super(`line ${lineNo}: ${why}: ${shorten(line)}`);
  }
}

function shorten(line: string): string {
  const l = line.replace(/\r$/, '');
  return l.length > 120 ? `${l.slice(0, 117)}...` : l;
}

const COPY_LINE =
  /^COPY ((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)\.(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?: \(.*\))?) FROM stdin;$/;
const RESTRICT_LINE = /^\\(restrict|unrestrict) ([A-Za-z0-9]+)\s*$/;
const SETTINGS_WORDS = /client_encoding|standard_conforming_strings/i;
const PG_DUMP_SETTINGS = new Set(["SET client_encoding = 'UTF8';", 'SET standard_conforming_strings = on;']);
const TRANSACTION_CONTROL = new Set([
  'begin',
  'commit',
  'end',
  'rollback',
  'abort',
  'start',
  'savepoint',
  'release',
  'prepare',
]);
/** pg_dump's large-object data (pg_backup_archiver.c, plain format): BEGIN; lo_open/lowrite/lo_close...; COMMIT;. */
const LO_BEGIN = 'BEGIN;';
const LO_COMMIT = 'COMMIT;';
const LO_LINE = /^SELECT pg_catalog\.(?:lo_open\('\d+', 131072\)|lowrite\(0, '\\x[0-9a-f]*'\)|lo_close\(0\));$/;
const NEWLINE = Buffer.from('\n');
const IDENT_START = /[A-Za-z_\x80-\xff]/;
const IDENT_CONT = /[A-Za-z0-9_$\x80-\xff]/;

/** `"public"."my ""t"""` → `public.my "t"`. */
function unquoteName(target: string): string {
  const parts: string[] = [];
  const re = /"((?:[^"]|"")+)"|([A-Za-z_][\w$]*)/g;
  const rel = target.replace(/ \(.*\)$/, '');
  for (let m = re.exec(rel); m; m = re.exec(rel))
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.toLowerCase());
  return parts.join('.');
}

type Quote = 'none' | 'single' | 'escape' | 'double' | 'dollar' | 'comment';

export interface ScannerOptions {
  /** Refuse meta-commands and ambiguous literals (restore); off, they are collected in `problems` (dump). */
  guard: boolean;
  /**
   * Receives, in order, the bytes psql should read (restore): everything scanned, whole SQL lines only, except
   * pg_dump's `BEGIN;` / `COMMIT;` lines around large-object data (the restore's own transaction holds them).
   */
  pass?: (bytes: Buffer) => void;
}

export class SqlScanner {
  private readonly guard: boolean;
  private readonly pass: ((bytes: Buffer) => void) | undefined;
  /** Problems found with guard off (the dump warns: a restore would refuse this line). */
  readonly problems: string[] = [];
  private readonly tables = new Map<string, { name: string; copy: string; rows: number; hash: Hash }>();
  private lineNo = 0;
  // Outside COPY: the current line's bytes.
  private parts: Buffer[] = [];
  // Inside COPY: the table being loaded, whether we are at the start of a line, bytes held back at a line start.
  private copy: { rows: number; hash: Hash } | undefined;
  private atLineStart = true;
  private held: Buffer = Buffer.alloc(0);
  // Lexer state (persists across lines).
  private quote: Quote = 'none';
  private dollarTag = '';
  private commentDepth = 0;
  private paren = 0;
  private beginDepth = 0;
  private idents: string[] = [];
  private identCount = 0;
  private stmtHasContent = false;
  // Completeness.
  private firstLine: string | undefined;
  private lastMeaningful = '';
  private restrictKey: string | undefined;
  // Inside pg_dump's large-object data (after its `BEGIN;`, before its `COMMIT;`).
  private inLargeObjects = false;

  constructor(opts: ScannerOptions) {
    this.guard = opts.guard;
    this.pass = opts.pass;
  }

  /** Feeds the next bytes. Throws ScanRefusal (guard on) at the first refused line. */
  push(chunk: Buffer): void {
    let buf = chunk;
    let i = 0;
    while (i < buf.length) {
      if (this.copy) {
        if (this.atLineStart && this.held.length) {
          buf = Buffer.concat([this.held, buf.subarray(i)]);
          this.held = Buffer.alloc(0);
          i = 0;
        }
        i = this.copyData(buf, i);
      } else {
        const nl = buf.indexOf(10, i);
        if (nl === -1) {
          this.parts.push(buf.subarray(i));
          return;
        }
        const whole = this.parts.length === 0;
        this.parts.push(buf.subarray(i, nl));
        const line = whole ? this.parts[0]! : Buffer.concat(this.parts);
        this.parts = [];
        if (this.sqlLine(line.toString('latin1')) && this.pass) {
          if (whole) this.pass(buf.subarray(i, nl + 1));
          else {
            this.pass(line);
            this.pass(NEWLINE);
          }
        }
        i = nl + 1;
      }
    }
  }

  /** COPY data from `i`: counts rows, hashes them, stops after the `\.` line. Returns where it stopped. */
  private copyData(buf: Buffer, start: number): number {
    const c = this.copy!;
    let i = start;
    const runStart = i;
    while (i < buf.length) {
      if (this.atLineStart && buf[i] === 0x5c) {
        const rest = buf.length - i;
        const isEnd = (n: number) =>
          buf[i + 1] === 0x2e && (n === 3 ? buf[i + 2] === 0x0a : buf[i + 2] === 0x0d && buf[i + 3] === 0x0a);
        if (rest >= 3 && isEnd(3)) return this.endCopy(buf, runStart, i, 3);
        if (rest >= 4 && isEnd(4)) return this.endCopy(buf, runStart, i, 4);
        // Too few bytes to tell `\.` from data: hold them back until the next chunk.
        if (rest < 4 && (rest === 1 || buf[i + 1] === 0x2e) && (rest < 3 || buf[i + 2] === 0x0d)) {
          if (i > runStart) this.data(buf.subarray(runStart, i));
          this.held = Buffer.from(buf.subarray(i));
          return buf.length;
        }
      }
      const nl = buf.indexOf(10, i);
      if (nl === -1) {
        this.atLineStart = false;
        i = buf.length;
        break;
      }
      c.rows++;
      this.lineNo++;
      this.atLineStart = true;
      i = nl + 1;
    }
    if (i > runStart) this.data(buf.subarray(runStart, i));
    return i;
  }

  /** COPY data: hashed into its table, and passed on. */
  private data(bytes: Buffer): void {
    this.copy!.hash.update(bytes);
    this.pass?.(bytes);
  }

  private endCopy(buf: Buffer, runStart: number, at: number, len: number): number {
    if (at > runStart) this.data(buf.subarray(runStart, at));
    this.pass?.(buf.subarray(at, at + len));
    this.copy = undefined;
    this.atLineStart = true;
    this.lineNo++;
    return at + len;
  }

  private refuse(line: string, why: string): void {
    const r = new ScanRefusal(this.lineNo, line, why);
    if (this.guard) throw r;
    if (this.problems.length < 20) this.problems.push(r.message);
  }

  /**
   * One line of SQL (without its newline), in latin1 so that every byte is one character. Returns whether psql
   * should read it (false for pg_dump's BEGIN/COMMIT around large-object data).
   */
  private sqlLine(line: string): boolean {
    this.lineNo++;
    if (this.firstLine === undefined) this.firstLine = line;
    const trimmed = line.replace(/\r$/, '');
    const atStatementStart = this.quote === 'none' && !this.stmtHasContent && this.paren === 0;
    if (trimmed.trim() && trimmed !== '--' && !/^\\unrestrict /.test(trimmed)) this.lastMeaningful = trimmed;

    if (this.inLargeObjects) return this.largeObjectLine(line, trimmed);
    if (atStatementStart) {
      if (trimmed === LO_BEGIN) {
        this.inLargeObjects = true;
        return false;
      }
      const r = RESTRICT_LINE.exec(trimmed);
      if (r) {
        this.restrictLine(line, r[1]!, r[2]!);
        return true;
      }
      const copy = COPY_LINE.exec(trimmed);
      if (copy) {
        this.startCopy(copy[1]!);
        return true;
      }
      if (/^\s*copy\b/i.test(trimmed))
        this.refuse(line, "a COPY other than pg_dump's one-line `COPY table (...) FROM stdin;`");
    }
    if (this.quote === 'none' && SETTINGS_WORDS.test(trimmed) && !PG_DUMP_SETTINGS.has(trimmed)) {
      this.refuse(line, "a change of client_encoding or standard_conforming_strings other than pg_dump's own SET");
    }
    this.lex(line);
    return true;
  }

  /** A line between pg_dump's `BEGIN;` and `COMMIT;` around large-object data: only its own lines, or a blank. */
  private largeObjectLine(line: string, trimmed: string): boolean {
    if (trimmed === LO_COMMIT) {
      this.inLargeObjects = false;
      return false;
    }
    if (trimmed && !LO_LINE.test(trimmed))
      this.refuse(line, "a statement inside pg_dump's large-object data other than its lo_open/lowrite/lo_close");
    return true;
  }

  private restrictLine(line: string, cmd: string, key: string): void {
    // Several pg_dump outputs may follow each other: each opens and closes its own pair.
    if (cmd === 'restrict') {
      if (this.restrictKey !== undefined) this.refuse(line, 'a \\restrict before the previous one was closed');
      this.restrictKey = key;
    } else {
      if (key !== this.restrictKey) this.refuse(line, "\\unrestrict with a key other than the dump's \\restrict key");
      this.restrictKey = undefined;
    }
  }

  private startCopy(target: string): void {
    const name = unquoteName(target);
    let t = this.tables.get(target);
    if (!t) {
      t = { name, copy: target, rows: 0, hash: createHash('sha256') };
      this.tables.set(target, t);
    }
    this.copy = t;
    this.atLineStart = true;
  }

  /** psql's lexer, reduced to what decides whether a backslash is a meta-command and where statements end. */
  private lex(line: string): void {
    const n = line.length;
    let i = 0;
    while (i < n) {
      const ch = line[i]!;
      switch (this.quote) {
        case 'single':
        case 'escape': {
          if (ch === '\\') {
            if (this.quote === 'escape')
              this.refuse(
                line,
                "a backslash in an E'...' literal (pg_dump does not write them; psql could read it differently)",
              );
            else if (line[i + 1] === "'")
              this.refuse(
                line,
                "a backslash before a quote in a '...' literal (psql reads it differently depending on standard_conforming_strings)",
              );
            i++;
          } else if (ch === "'") {
            if (line[i + 1] === "'") i += 2;
            else {
              this.quote = 'none';
              i++;
            }
          } else i++;
          continue;
        }
        case 'double': {
          const end = line.indexOf('"', i);
          if (end === -1) return;
          if (line[end + 1] === '"') i = end + 2;
          else {
            this.quote = 'none';
            i = end + 1;
          }
          continue;
        }
        case 'dollar': {
          const close = `$${this.dollarTag}$`;
          const end = line.indexOf(close, i);
          if (end === -1) return;
          this.quote = 'none';
          i = end + close.length;
          continue;
        }
        case 'comment': {
          if (ch === '/' && line[i + 1] === '*') {
            this.commentDepth++;
            i += 2;
          } else if (ch === '*' && line[i + 1] === '/') {
            this.commentDepth--;
            i += 2;
            if (this.commentDepth === 0) this.quote = 'none';
          } else i++;
          continue;
        }
        case 'none':
          break;
      }
      if (ch === '-' && line[i + 1] === '-') return;
      if (ch === '/' && line[i + 1] === '*') {
        this.quote = 'comment';
        this.commentDepth = 1;
        i += 2;
        continue;
      }
      if (ch === '\\') {
        this.refuse(
          line,
          'a psql meta-command (only \\restrict/\\unrestrict lines and COPY data may hold a backslash here)',
        );
        return;
      }
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\f') {
        i++;
        continue;
      }
      this.stmtHasContent = true;
      if (ch === "'") {
        const prev = line[i - 1];
        const prev2 = line[i - 2];
        this.quote =
          (prev === 'E' || prev === 'e') && (prev2 === undefined || !IDENT_CONT.test(prev2)) ? 'escape' : 'single';
        i++;
      } else if (ch === '"') {
        this.quote = 'double';
        i++;
      } else if (ch === '$' && !(i > 0 && IDENT_CONT.test(line[i - 1]!))) {
        const m = /^\$([A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)?\$/.exec(line.slice(i, i + 256));
        if (m) {
          this.quote = 'dollar';
          this.dollarTag = m[1] ?? '';
          i += m[0].length;
        } else i++;
      } else if (ch === '(') {
        this.paren++;
        i++;
      } else if (ch === ')') {
        if (this.paren > 0) this.paren--;
        i++;
      } else if (ch === ';') {
        if (this.paren === 0 && this.beginDepth === 0) {
          this.stmtHasContent = false;
          this.idents = [];
          this.identCount = 0;
        }
        i++;
      } else if (IDENT_START.test(ch)) {
        let j = i + 1;
        while (j < n && IDENT_CONT.test(line[j]!)) j++;
        // E'...': the identifier E is followed directly by a quote; leave the quote to the next turn.
        this.identifier(line.slice(i, j), line);
        i = j;
      } else i++;
    }
  }

  /** psql's heuristic for `CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END`, whose `;` do not end it. */
  private identifier(word: string, line: string): void {
    const w = word.toLowerCase();
    // A restore is one transaction (our BEGIN ... COMMIT around the stream): a COMMIT in it would make what came before stay.
    if (this.identCount === 0 && TRANSACTION_CONTROL.has(w))
      this.refuse(
        line,
        'transaction control (a restore runs as one transaction; pg_dump writes none but the BEGIN/COMMIT lines around large-object data)',
      );
    if (this.identCount < 4 && ['create', 'function', 'procedure', 'or', 'replace'].includes(w))
      this.idents[this.identCount] = w[0]!;
    this.identCount++;
    const id = this.idents;
    const isRoutine =
      id[0] === 'c' &&
      (id[1] === 'f' || id[1] === 'p' || (id[1] === 'o' && id[2] === 'r' && (id[3] === 'f' || id[3] === 'p')));
    if (!isRoutine || this.paren !== 0) return;
    if (w === 'begin') this.beginDepth++;
    else if (w === 'case' && this.beginDepth >= 1) this.beginDepth++;
    else if (w === 'end' && this.beginDepth > 0) this.beginDepth--;
  }

  /** Per-table results, in the order the dump wrote them. */
  tableData(): TableData[] {
    return [...this.tables.values()].map((t) => ({
      name: t.name,
      copy: t.copy,
      rows: t.rows,
      sha256: t.hash.copy().digest('hex'),
    }));
  }

  /**
   * Whether the stream ended where a complete dump ends: outside COPY data and any literal or statement, with the
   * closing line last (ours when the stream starts with our header, else pg_dump's), and `\unrestrict` after
   * `\restrict`. Returns the reason when it did not.
   */
  incompleteReason(): string | undefined {
    if (this.parts.length) {
      const last = Buffer.concat(this.parts);
      if (this.sqlLine(last.toString('latin1'))) this.pass?.(last);
    }
    this.parts = [];
    if (this.copy) return 'it ends inside the data of a COPY';
    if (this.inLargeObjects) return "it ends inside pg_dump's large-object data (no COMMIT after its BEGIN)";
    if (this.quote !== 'none') return 'it ends inside a quoted string, dollar-quoted body or comment';
    if (this.stmtHasContent) return 'it ends in the middle of a statement';
    const ours = this.firstLine?.replace(/\r$/, '') === STREAM_HEADER;
    const want = ours ? STREAM_TRAILER : PG_DUMP_COMPLETE;
    if (this.lastMeaningful !== want) return `its last line is not '${want}'`;
    if (this.restrictKey !== undefined) return 'it has \\restrict but no \\unrestrict';
    return undefined;
  }
}
