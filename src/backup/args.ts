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
const RESERVED = [/^-F/, /^--format/, /^-f/, /^--file/, /^-d/, /^--dbname/, /^-h/, /^--host/, /^-p/, /^--port/, /^-U/, /^--username/, /^-W/, /^--password/, /^-C$/, /^--create/, /^-j/, /^--jobs/, /^-Z/, /^--compress/];

export function checkPgDumpArgs(args: string[], input = 'pg-dump-args'): void {
  for (const a of args) {
    if (!a.startsWith('-')) throw new InputError(input, `expected options starting with -, got '${a}'`);
    if (RESERVED.some((r) => r.test(a))) {
      throw new InputError(input, `'${a.split('=')[0]}' is set by the backup itself (plain SQL to stdout, connection from database-url)`);
    }
  }
}
