import { describe, expect, it } from '@jest/globals';
import { InputError } from '../core/errors.js';
import { inputsFrom } from '../core/inputs.js';
import { getFlavor } from './inputs.js';

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
