import { InputError } from '../core/errors.js';

/** Splits extra command-line arguments like a shell would (spaces/newlines separate; '...' and "..." group). */
export function splitArgs(text: string, input = 'pg-dump-args'): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new InputError(input, `unterminated ${quote} quote`);
  if (has) out.push(cur);
  return out;
}

/** Arguments our dump depends on (format, output, connection): the user may not override them. */
const RESERVED = [
  /^-F/,
  /^--format/,
  /^-f/,
  /^--file/,
  /^-d/,
  /^--dbname/,
  /^-h/,
  /^--host/,
  /^-p/,
  /^--port/,
  /^-U/,
  /^--username/,
  /^-W/,
  /^--password/,
  /^-C$/,
  /^--create/,
  /^-j/,
  /^--jobs/,
  /^-Z/,
  /^--compress/,
];

export function checkPgDumpArgs(args: string[], input = 'pg-dump-args'): void {
  for (const a of args) {
    if (!a.startsWith('-')) throw new InputError(input, `expected options starting with -, got '${a}'`);
    if (RESERVED.some((r) => r.test(a))) {
      throw new InputError(
        input,
        `'${a.split('=')[0]}' is set by the backup itself (plain SQL to stdout, connection from database-url)`,
      );
    }
  }
}

/** pg_dump's short options that take a value: in `-tcustomers` the `c` belongs to the table name. */
const SHORT_WITH_VALUE = new Set(['d', 'E', 'e', 'f', 'F', 'h', 'j', 'n', 'N', 'p', 'S', 't', 'T', 'U', 'Z']);

/**
 * A backup that is restored into a scratch database right away (`backup test`, a drill) must not carry DROP or
 * CREATE DATABASE statements: `--clean` once dropped the source's tables when the "scratch" was the source.
 */
export function checkScratchDumpArgs(args: string[], input = 'pg-dump-args'): void {
  for (const a of args) {
    let bad = a === '--clean' || a === '--if-exists' || a.startsWith('--clean=');
    if (!a.startsWith('--') && a.startsWith('-')) {
      for (const ch of a.slice(1)) {
        if (ch === 'c' || ch === 'C') bad = true;
        if (SHORT_WITH_VALUE.has(ch)) break;
      }
    }
    if (bad)
      throw new InputError(
        input,
        `'${a}' (DROP/CREATE statements) is refused when the backup is restored into a scratch database (backup test, drill-url)`,
      );
  }
}
