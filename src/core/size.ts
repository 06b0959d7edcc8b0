import prettyBytes from 'pretty-bytes';

/** A byte count as a person reads it, in binary units: `512 B`, `1.5 KiB`, `12.3 MiB`, `1.25 GiB`. */
export function humanSize(n: number): string {
  const digits = n >= 1024 ** 3 ? 2 : n >= 1024 ? 1 : 0;
  return prettyBytes(n, { binary: true, minimumFractionDigits: digits, maximumFractionDigits: digits });
}
