import { describe, expect, it } from '@jest/globals';
import { InputError } from './errors.js';
import { getBoolean, getInt, getMap, getMinutes, getString, inputsFrom } from './inputs.js';

const src = (v: Record<string, string>) => inputsFrom(v);

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('input parsing', () => {
  it('requires required strings and names the input', () => {
    const err = errorOf(() => getString(src({ bucket: '  ' }), 'bucket', { required: true }));
    expect(err.message).toBe("Input 'bucket': is required and was empty");
    expect(err.exitCode).toBe(2);
    expect(getString(src({}), 'prefix', { default: 'backups' })).toBe('backups');
  });

  it('requires a whole number that has no default', () => {
    expect(errorOf(() => getInt(src({}), 'max-age-days', { min: 1 })).message).toBe(
      "Input 'max-age-days': is required (a whole number of at least 1)",
    );
    expect(getInt(src({ 'max-age-days': '8' }), 'max-age-days', { min: 1 })).toBe(8);
  });

  it('parses minutes (fractions allowed) and names the input when they are out of range', () => {
    const opts = { default: 15, max: 120 };
    expect(getMinutes(src({}), 'since-minutes', opts)).toBe(15);
    expect(getMinutes(src({ 'since-minutes': ' 0.5 ' }), 'since-minutes', opts)).toBe(0.5);
    expect(getMinutes(src({ 'since-minutes': '120' }), 'since-minutes', opts)).toBe(120);
    for (const bad of ['0', '121', '-1', 'soon', '1e2', '0x10'])
      expect(errorOf(() => getMinutes(src({ 'since-minutes': bad }), 'since-minutes', opts)).message).toBe(
        `Input 'since-minutes': expected a number of minutes greater than 0 and at most 120, got '${bad}'`,
      );
  });

  it('parses booleans the way GitHub users write them and rejects anything else', () => {
    expect(getBoolean(src({ 'dry-run': 'TRUE' }), 'dry-run', false)).toBe(true);
    expect(getBoolean(src({ 'dry-run': 'no' }), 'dry-run', true)).toBe(false);
    expect(getBoolean(src({}), 'dry-run', true)).toBe(true);
    expect(errorOf(() => getBoolean(src({ 'dry-run': 'maybe' }), 'dry-run', false)).message).toBe(
      "Input 'dry-run': expected true or false, got 'maybe'",
    );
  });

  it('parses bounded integers', () => {
    expect(getInt(src({ concurrency: '8' }), 'concurrency', { default: 16, min: 1, max: 64 })).toBe(8);
    expect(getInt(src({}), 'concurrency', { default: 16, min: 1, max: 64 })).toBe(16);
    expect(
      errorOf(() => getInt(src({ concurrency: '0' }), 'concurrency', { default: 16, min: 1, max: 64 })).message,
    ).toBe("Input 'concurrency': expected a whole number from 1 to 64, got 0");
    expect(errorOf(() => getInt(src({ concurrency: '2.5' }), 'concurrency', { default: 16, min: 1 })).message).toBe(
      "Input 'concurrency': expected a whole number of at least 1, got '2.5'",
    );
  });

  it('parses KEY=VALUE maps, keeping = inside values, and never quotes a value in errors', () => {
    const m = getMap(
      src({ environment: 'DATABASE_URL=postgres://u:p@h/db?a=b\n\nNODE_ENV = production' }),
      'environment',
    );
    expect([...m]).toEqual([
      ['DATABASE_URL', 'postgres://u:p@h/db?a=b'],
      ['NODE_ENV', 'production'],
    ]);
    const bad = errorOf(() => getMap(src({ environment: 'OK=1\nsecret-value-without-key' }), 'environment'));
    expect(bad.message).toBe("Input 'environment': line 2: expected KEY=VALUE");
    const badKey = errorOf(() => getMap(src({ environment: '1BAD=hunter2' }), 'environment'));
    expect(badKey.message).toContain("key '1BAD'");
    expect(badKey.message).not.toContain('hunter2');
    expect(errorOf(() => getMap(src({ environment: 'A=1\nA=2' }), 'environment')).message).toContain('given twice');
  });
});
