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
    this.secrets.add(v);
    // Also mask the URL-encoded form (passwords inside URLs are often percent-encoded).
    const enc = encodeURIComponent(v);
    if (enc !== v) this.secrets.add(enc);
    try {
      const dec = decodeURIComponent(v);
      if (dec !== v && dec.length >= 3) this.secrets.add(dec);
    } catch {
      /* not percent-encoded */
    }
    // A connection URL (e.g. DATABASE_URL): its password alone, as written and decoded, is a secret too.
    if (/^[a-z][a-z0-9+.-]*:\/\/[^\s/@]*:[^\s@]*@/i.test(v)) {
      for (const part of secretsOfUrl(v).slice(1)) if (part.length >= 3) this.secrets.add(part);
    }
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
