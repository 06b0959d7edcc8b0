import { describe, expect, it } from '@jest/globals';
import { TerminalReporter } from './reporter-terminal.js';
import { runJob } from './run.js';
import { InputError } from './errors.js';

const quiet = () => new TerminalReporter({ write: () => true }, { write: () => true });

describe('runJob exit codes', () => {
  it('is 0 when the job succeeds, 2 for bad input, 1 for any other failure', async () => {
    expect(await runJob(quiet(), async () => undefined)).toBe(0);
    expect(
      await runJob(quiet(), async () => {
        throw new InputError('bucket', 'is required and was empty');
      }),
    ).toBe(2);
    expect(
      await runJob(quiet(), async () => {
        throw new Error('boom');
      }),
    ).toBe(1);
  });

  it('prints one line for a multi-line error', async () => {
    const lines: string[] = [];
    const rep = new TerminalReporter({ write: () => true }, { write: (c: string) => lines.push(c) });
    await runJob(rep, async () => {
      throw new Error('first line\nsecond line with detail');
    });
    expect(lines).toEqual(['error: first line\n']);
  });
});
