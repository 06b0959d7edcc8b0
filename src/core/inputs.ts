import { InputError } from './errors.js';

/** Where inputs come from: `core.getInput` in an action, parsed flags in the CLI. Empty string = not given. */
export type InputSource = (name: string) => string | undefined;

/** An InputSource over a plain object (CLI flags, tests). Keys are the kebab-case input names. */
export function inputsFrom(values: Record<string, string | number | boolean | undefined>): InputSource {
  return (name) => {
    const v = values[name];
    return v === undefined ? undefined : String(v);
  };
}

/** A value as shown in an error: whole when short, else its start and its length (never 10,000 characters). */
export function shown(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}

function raw(src: InputSource, name: string): string {
  return (src(name) ?? '').trim();
}

export function getString(src: InputSource, name: string, opts: { required?: boolean; default?: string } = {}): string {
  const v = raw(src, name);
  if (v) return v;
  if (opts.required) throw new InputError(name, 'is required and was empty');
  return opts.default ?? '';
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

export function getBoolean(src: InputSource, name: string, dflt: boolean): boolean {
  const v = raw(src, name).toLowerCase();
  if (!v) return dflt;
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new InputError(name, `expected true or false, got '${shown(raw(src, name))}'`);
}

/** A whole number within `min`..`max`; without a `default`, the input is required. */
export function getInt(src: InputSource, name: string, opts: { default?: number; min?: number; max?: number }): number {
  const v = raw(src, name);
  if (!v) {
    if (opts.default === undefined) throw new InputError(name, `is required (a whole number${range(opts)})`);
    return opts.default;
  }
  if (!/^[+-]?\d+$/.test(v)) throw new InputError(name, `expected a whole number${range(opts)}, got '${shown(v)}'`);
  const n = Number(v);
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new InputError(name, `expected a whole number${range(opts)}, got ${shown(v)}`);
  }
  return n;
}

/** A positive number of minutes (fractions allowed, e.g. 0.5), at most `max`. */
export function getMinutes(src: InputSource, name: string, opts: { default: number; max: number }): number {
  const v = raw(src, name);
  if (!v) return opts.default;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || n > opts.max) {
    throw new InputError(
      name,
      `expected a number of minutes greater than 0 and at most ${opts.max}, got '${shown(v)}'`,
    );
  }
  return n;
}

function range(opts: { min?: number; max?: number }): string {
  if (opts.min !== undefined && opts.max !== undefined) return ` from ${opts.min} to ${opts.max}`;
  if (opts.min !== undefined) return ` of at least ${opts.min}`;
  if (opts.max !== undefined) return ` of at most ${opts.max}`;
  return '';
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `KEY=VALUE` lines into a map. Keys must look like environment variable names; values may contain `=`.
 * Errors never quote the value (values are often secrets).
 */
export function getMap(src: InputSource, name: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = (src(name) ?? '').split(/\r?\n/);
  lines.forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new InputError(name, `line ${i + 1}: expected KEY=VALUE`);
    const key = t.slice(0, eq).trim();
    if (!ENV_KEY.test(key)) {
      throw new InputError(
        name,
        `line ${i + 1}: key '${key}' must be letters, digits and _ and not start with a digit`,
      );
    }
    if (out.has(key)) throw new InputError(name, `line ${i + 1}: key '${key}' is given twice`);
    out.set(key, t.slice(eq + 1).trim());
  });
  return out;
}
