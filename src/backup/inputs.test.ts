import { describe, expect, it } from '@jest/globals';
import { InputError } from '../core/errors.js';
import { inputsFrom } from '../core/inputs.js';
import { BACKUP_DEFAULTS as DEFAULTS } from './defaults.js';
import { getFlavor, getPrefix } from './inputs.js';

describe('getFlavor', () => {
  it('defaults to auto and accepts supabase and postgres', () => {
    expect(getFlavor(inputsFrom({}))).toBe('auto');
    expect(getFlavor(inputsFrom({ flavor: 'Supabase' }))).toBe('supabase');
    expect(getFlavor(inputsFrom({ flavor: 'postgres' }))).toBe('postgres');
  });
  it('names the input and the choices on anything else', () => {
    const err = (() => {
      try {
        getFlavor(inputsFrom({ flavor: 'mysql' }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe("Input 'flavor': expected one of auto, supabase, postgres, got 'mysql'");
  });
});

describe('getPrefix', () => {
  it('defaults to the one backup prefix and trims slashes', () => {
    expect(getPrefix(inputsFrom({}))).toBe(DEFAULTS.prefix);
    expect(getPrefix(inputsFrom({ prefix: '/backups/staging/' }))).toBe('backups/staging');
    expect(getPrefix(inputsFrom({ 'backup-prefix': 'db/' }), 'backup-prefix')).toBe('db');
  });
  it('names the input it read when the prefix is refused', () => {
    expect(() => getPrefix(inputsFrom({ 'backup-prefix': '/' }), 'backup-prefix')).toThrow(
      "Input 'backup-prefix': expected a folder such as 'backups' or 'backups/staging'",
    );
    expect(() => getPrefix(inputsFrom({ prefix: 'a/../b' }))).toThrow("Input 'prefix': expected a folder");
  });
});
