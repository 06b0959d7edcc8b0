import { InputError } from '../core/errors.js';
import { getString, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { command } from '../core/command.js';
import { opsClients } from './clients.js';
import { OPS_UNLOCK_OUTPUTS, opsUnlockJob, parseOpsUnlockInputs } from './lock.js';
import { OPS_ROLLBACK_OUTPUTS, opsRollbackJob, parseOpsRollbackInputs } from './rollback.js';
import { OPS_STATUS_OUTPUTS, opsStatusJob, parseOpsStatusInputs, reportOpsStatus } from './status.js';
import { OPS_VERIFY_OUTPUTS, opsVerifyJob, parseOpsVerifyInputs } from './verify.js';

/** The ops commands: `shisha-ops verify|status|rollback|unlock`, and the ops action's `command` input. */
export const OPS_COMMANDS = {
  verify: command({ parse: parseOpsVerifyInputs, clients: opsClients, run: opsVerifyJob, outputs: OPS_VERIFY_OUTPUTS }),
  status: command({
    parse: parseOpsStatusInputs,
    clients: opsClients,
    run: opsStatusJob,
    outputs: OPS_STATUS_OUTPUTS,
    report: reportOpsStatus,
  }),
  rollback: command({
    parse: parseOpsRollbackInputs,
    clients: opsClients,
    run: opsRollbackJob,
    outputs: OPS_ROLLBACK_OUTPUTS,
  }),
  unlock: command({ parse: parseOpsUnlockInputs, clients: opsClients, run: opsUnlockJob, outputs: OPS_UNLOCK_OUTPUTS }),
};

/** The ops action: runs the job its `command` input names. */
export async function opsJob(inputs: InputSource, reporter: Reporter): Promise<void> {
  const command = getString(inputs, 'command', { required: true });
  const job = Object.hasOwn(OPS_COMMANDS, command) ? OPS_COMMANDS[command as keyof typeof OPS_COMMANDS] : undefined;
  if (!job)
    throw new InputError('command', `expected one of ${Object.keys(OPS_COMMANDS).join(', ')}, got '${command}'`);
  await job(inputs, reporter);
}
