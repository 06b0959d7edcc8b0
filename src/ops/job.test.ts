import { describe, expect, it } from '@jest/globals';
import { InputError } from '../core/errors.js';
import { inputsFrom } from '../core/inputs.js';
import { captureReporter } from '../../test/lab/capture.js';
import { opsJob } from './job.js';

describe('the ops action picks its command by name', () => {
  it.each(['toString', 'constructor', 'deploy'])(
    "refuses '%s', which is no command (nothing runs)",
    async (command) => {
      const { reporter } = captureReporter();
      const err = await opsJob(inputsFrom({ command }), reporter).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain('expected one of verify, status, rollback, unlock');
    },
  );
});
