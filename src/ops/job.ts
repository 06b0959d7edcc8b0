import { InputError } from '../core/errors.js';
import { getString, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { unlockJob } from './lock.js';
import { rollbackJob } from './rollback.js';
import { statusJob } from './status.js';
import { verifySite } from './verify.js';

/** The ops action's commands: the same jobs as `shisha-ops verify|status|rollback|unlock`. */
export const OPS_COMMANDS = {
  verify: verifySite,
  status: statusJob,
  rollback: rollbackJob,
  unlock: unlockJob,
} as const;

/** The ops action: runs the job its `command` input names. */
export function opsJob(inputs: InputSource, reporter: Reporter): Promise<void> {
  const command = getString(inputs, 'command', { required: true });
  const job = OPS_COMMANDS[command as keyof typeof OPS_COMMANDS];
  if (!job)
    throw new InputError('command', `expected one of ${Object.keys(OPS_COMMANDS).join(', ')}, got '${command}'`);
  return job(inputs, reporter);
}
