import * as core from '@actions/core';
import type { InputSource } from './inputs.js';
import type { Reporter } from './reporter.js';
import { ActionsReporter } from './reporter-actions.js';
import { runJob } from './run.js';

/** The inputs of the running action, as declared in its action.yml. */
export const actionInputs: InputSource = (name) => core.getInput(name);

/**
 * The whole of an action's entry point: build the Actions reporter, run one core job with the action's inputs,
 * write the step summary (its ❌ line names `title`), and fail the step (exit code 1 or 2) with a one-line error when the job throws.
 */
export async function runAction(
  job: (inputs: InputSource, reporter: Reporter) => Promise<unknown>,
  title = '',
): Promise<void> {
  const reporter = new ActionsReporter();
  reporter.jobTitle = title; // names the job in the ❌ line of the step summary
  const code = await runJob(reporter, () => job(actionInputs, reporter));
  if (code !== 0) process.exitCode = code;
}
