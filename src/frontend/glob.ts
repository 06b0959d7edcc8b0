/**
 * Small glob matcher for cache rules (no dependency): `**` matches across `/`, `*` and `?` within one path
 * segment, `{a,b}` alternatives. A pattern without `/` matches the file name at any depth (`*.html` matches
 * `docs/a.html`), like .gitignore; a pattern with `/` matches the whole path from the build's root.
 */
export function globToRegExp(pattern: string): RegExp {
  const p = pattern.replace(/^\.?\//, '');
  const anchored = p.includes('/');
  let re = '';
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') {
      if (p[i + 1] === '*') {
        i++;
        if (p[i + 1] === '/') {
          i++;
          re += '(?:.*/)?'; // `**/` also matches no directory at all
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  if (depth > 0) throw new Error(`unclosed '{' in '${pattern}'`);
  return new RegExp(anchored ? `^${re}$` : `^(?:.*/)?${re}$`);
}

export function globMatches(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}
