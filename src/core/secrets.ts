/**
 * Secret masking. Every value registered here is replaced by *** wherever it appears in text we print,
 * including the stderr of child processes. URL passwords are masked even when not registered.
 */
const MASK = '***';

export class Redactor {
  private readonly secrets = new Set<string>();

  add(value: string | undefined | null): void {
    if (!value) return;
    const v = value.trim();
    // Very short values would mask ordinary words; GitHub applies the same idea.
    if (v.length < 3) return;
    const forms = new Set([v]);
    // Also the URL-encoded and decoded forms (passwords inside URLs are often percent-encoded).
    forms.add(encodeURIComponent(v));
    try {
      forms.add(decodeURIComponent(v));
    } catch {
      /* not percent-encoded */
    }
    // A connection URL (e.g. DATABASE_URL): its password alone, as written and decoded, is a secret too, and so is
    // the Basic-auth header value a client sends for it (base64 of user:password; unpadded, which masks the padded).
    if (/^[a-z][a-z0-9+.-]*:\/\/[^\s/@]*:[^\s@]*@/i.test(v)) {
      for (const part of secretsOfUrl(v).slice(1)) forms.add(part);
      for (const pair of basicAuthPairs(v)) forms.add(Buffer.from(pair).toString('base64').replace(/=+$/, ''));
    }
    // A multi-line value (a key, a JSON credential) may be printed one line at a time: each line of 8 characters
    // or more is a secret too (shorter ones, like braces or a lone word, would mask ordinary output).
    if (v.includes('\n')) for (const line of v.split(/\r?\n/)) if (line.trim().length >= 8) forms.add(line.trim());
    // And each as it appears inside a JSON string (quotes, backslashes, newlines escaped).
    for (const f of [...forms]) forms.add(JSON.stringify(f).slice(1, -1));
    for (const f of forms) if (f.length >= 3) this.secrets.add(f);
  }

  list(): string[] {
    return [...this.secrets];
  }

  redact(text: string): string {
    let out = maskUrlPasswords(text);
    // Longest first, so a secret containing another is masked whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(s)) out = out.split(s).join(MASK);
    }
    return out;
  }
}

/** scheme://user:password@host → scheme://user:***@host */
export function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)@/gi, `$1${MASK}@`);
}

/** Secrets hidden in a connection URL: the password, plus the whole URL itself. */
export function secretsOfUrl(url: string): string[] {
  const out = [url];
  try {
    const u = new URL(url);
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
  } catch {
    const m = /:\/\/[^:/@\s]*:([^@\s]+)@/.exec(url);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

/** `user:password` of a URL, as written and decoded (the forms a client may put into a Basic-auth header). */
function basicAuthPairs(url: string): string[] {
  try {
    const u = new URL(url);
    if (!u.password) return [];
    const raw = `${u.username}:${u.password}`;
    return [raw, `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`];
  } catch {
    return [];
  }
}
