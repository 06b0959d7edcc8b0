import picomatch from 'picomatch';
import { InputError } from '../core/errors.js';
import { shown } from '../core/inputs.js';

export interface CacheRule {
  glob: string;
  cacheControl: string;
  re: RegExp;
}

/** The defaults (README.md, "Default cache rules"); user rules are checked before them (first match wins). */
export const DEFAULT_CACHE_RULES = [
  'assets/**: public, max-age=31536000, immutable',
  '*.html: public, max-age=0, s-maxage=86400, must-revalidate',
  '**: public, max-age=86400',
].join('\n');

/**
 * A cache-rule glob as a RegExp (picomatch): `**` matches across `/`, `*` and `?` within one path segment, `{a,b}`
 * alternatives; dotfiles match like any file; `[`, `]` and a leading `!` are plain characters (file names such as
 * `[id].html`). A pattern without `/` matches the file name at any depth (`*.html` matches `docs/a.html`), like
 * .gitignore; a pattern with `/` matches the whole path from the build's root. Unbalanced `{`, `(` throw.
 */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.replace(/^\.?\//, '');
  return picomatch.makeRe(p.includes('/') ? p : `**/${p}`, {
    dot: true,
    nobracket: true,
    noextglob: true,
    nonegate: true,
    strictBrackets: true,
  });
}

const DIRECTIVE = /^[A-Za-z][A-Za-z0-9-]*(=("[^"]*"|[A-Za-z0-9-]+))?$/;

/** Parses `glob: Cache-Control` lines (blank lines and `#` comments skipped). Throws InputError naming the line. */
export function parseCacheRules(text: string, input = 'cache-rules'): CacheRule[] {
  const rules: CacheRule[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const bad = (why: string) => new InputError(input, `line ${i + 1} '${shown(t)}': ${why}`);
    const colon = t.indexOf(':');
    if (colon < 0)
      throw bad("expected 'glob: Cache-Control value', e.g. 'assets/**: public, max-age=31536000, immutable'");
    const glob = t.slice(0, colon).trim();
    const value = t.slice(colon + 1).trim();
    if (!glob) throw bad('the glob before the colon is empty');
    if (!value) throw bad('the Cache-Control value after the colon is empty');
    const directives = value.split(',').map((d) => d.trim());
    const wrong = directives.find((d) => !DIRECTIVE.test(d));
    if (wrong !== undefined)
      throw bad(`'${shown(wrong)}' is not a Cache-Control directive (name or name=value, comma-separated)`);
    let re: RegExp;
    try {
      re = globToRegExp(glob);
    } catch (err) {
      throw bad(shown((err as Error).message, 200));
    }
    rules.push({ glob, cacheControl: directives.join(', '), re });
  });
  return rules;
}

/** The user's rules first, then the defaults. */
export function cacheRules(userText: string): CacheRule[] {
  return [...parseCacheRules(userText), ...parseCacheRules(DEFAULT_CACHE_RULES)];
}

export function cacheControlFor(rules: CacheRule[], rel: string): string {
  for (const r of rules) if (r.re.test(rel)) return r.cacheControl;
  return 'public, max-age=86400';
}

/** Immutable files (hashed assets) are never invalidated, and a deploy may upload them before anything else. */
export function isImmutable(cacheControl: string): boolean {
  return /(^|,)\s*immutable\s*(,|$)/i.test(cacheControl);
}
