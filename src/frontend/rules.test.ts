import { describe, expect, it } from '@jest/globals';
import { InputError } from '../core/errors.js';
import { cacheControlFor, cacheRules, globToRegExp, isImmutable, parseCacheRules } from './cache-rules.js';
import { contentTypeFor } from './content-type.js';

describe('glob', () => {
  it.each([
    ['assets/**', 'assets/a/b.js', true],
    ['assets/**', 'x/assets/a.js', false],
    ['*.html', 'index.html', true],
    ['*.html', 'docs/deep/a.html', true],
    ['docs/*.html', 'docs/deep/a.html', false],
    ['**/*.map', 'a.map', true],
    ['**/*.map', 'x/y/a.map', true],
    ['*.{woff,woff2}', 'fonts/a.woff2', true],
    ['fav?con.ico', 'favicon.ico', true],
    ['a+b.txt', 'a+b.txt', true],
    ['a.txt', 'aXtxt', false],
    ['./robots.txt', 'robots.txt', true],
    ['/assets/*.js', 'assets/a.js', true],
    ['*', '.env', true],
    ['assets/**', 'assets/.vite/manifest.json', true],
    ['[id].html', 'blog/[id].html', true],
    ['[id].html', 'blog/i.html', false],
    ['!old.js', '!old.js', true],
    ['!old.js', 'new.js', false],
  ])('%s matches %s: %s', (glob, path, want) => {
    expect(globToRegExp(glob).test(path)).toBe(want);
  });
});

describe('cache rules', () => {
  const rules = cacheRules('robots.txt: no-cache\n\n# a comment\nassets/legacy/**: public, max-age=600');
  it('applies user rules before the defaults, first match wins', () => {
    expect(cacheControlFor(rules, 'robots.txt')).toBe('no-cache');
    expect(cacheControlFor(rules, 'assets/legacy/a.js')).toBe('public, max-age=600');
    expect(cacheControlFor(rules, 'assets/index-abc.js')).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor(rules, 'index.html')).toBe('public, max-age=0, s-maxage=86400, must-revalidate');
    expect(cacheControlFor(rules, 'favicon.ico')).toBe('public, max-age=86400');
  });
  it('normalizes spacing and accepts quoted values', () => {
    expect(parseCacheRules('*.json:public,max-age=60 ,  no-transform')[0]?.cacheControl).toBe(
      'public, max-age=60, no-transform',
    );
    expect(parseCacheRules('*.x: private="set-cookie"')[0]?.cacheControl).toBe('private="set-cookie"');
  });
  it.each(['no colon here', ': max-age=1', '*.js:', '*.js: max age', '*.{js: max-age=1'])(
    'rejects %j naming the line',
    (line) => {
      expect(() => parseCacheRules(`\n${line}`)).toThrow(InputError);
      expect(() => parseCacheRules(`\n${line}`)).toThrow(/^Input 'cache-rules': line 2 /);
    },
  );
  it.each(['x'.repeat(10_000), `*.js: max age${'a'.repeat(10_000)}`, `${'a'.repeat(10_000)}:`])(
    'cuts a 10,000-character line in the error',
    (line) => {
      let message = '';
      try {
        parseCacheRules(line);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^Input 'cache-rules': line 1 .*\(10,?\d{3} characters\)/);
      expect(message.length).toBeLessThan(400);
    },
  );
  it('knows immutable', () => {
    expect(isImmutable('public, max-age=31536000, immutable')).toBe(true);
    expect(isImmutable('public, max-age=60')).toBe(false);
    expect(isImmutable('public, max-age=60, x-immutable-after-install')).toBe(false);
  });
});

describe('content types', () => {
  it.each([
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.mjs', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
    ['a.json', 'application/json; charset=utf-8'],
    ['a.js.map', 'application/json; charset=utf-8'],
    ['a.svg', 'image/svg+xml; charset=utf-8'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['a.woff', 'font/woff'],
    ['a.woff2', 'font/woff2'],
    ['a.wasm', 'application/wasm'],
    ['a.webp', 'image/webp'],
    ['a.avif', 'image/avif'],
    ['favicon.ico', 'image/vnd.microsoft.icon'],
    ['robots.txt', 'text/plain; charset=utf-8'],
    ['a b+ü.PNG', 'image/png'],
    ['LICENSE', 'application/octet-stream'],
  ])('%s → %s', (name, type) => {
    expect(contentTypeFor(name)).toBe(type);
  });
});
