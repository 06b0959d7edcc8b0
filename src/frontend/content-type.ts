import mime from 'mime';

const TEXT_APPLICATION = new Set([
  'application/javascript',
  'application/json',
  'application/manifest+json',
  'application/xml',
  'application/ld+json',
  'application/xhtml+xml',
  'application/rss+xml',
  'application/atom+xml',
  'image/svg+xml',
]);

/** Content-Type for a file name from the maintained `mime` database, with `charset=utf-8` on text types. */
export function contentTypeFor(name: string): string {
  const type = mime.getType(name) ?? 'application/octet-stream';
  return isText(type) ? `${type}; charset=utf-8` : type;
}

function isText(type: string): boolean {
  return type.startsWith('text/') || TEXT_APPLICATION.has(type) || type.endsWith('+json') || type.endsWith('+xml');
}
