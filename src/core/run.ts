import { describeError, exitCodeOf, InputError } from './errors.js';
import type { Reporter } from './reporter.js';

/**
 * Runs one job and owns failure handling: the error is reported as one redacted line, the summary is written
 * either way, and the exit code says what happened (0 done, 1 failed, 2 bad input). Returns the exit code;
 * the caller sets process.exitCode (so pending output is flushed).
 */
export async function runJob(reporter: Reporter, job: () => Promise<unknown>): Promise<number> {
  let code = 0;
  try {
    await job();
  } catch (err) {
    code = exitCodeOf(err);
    const msg = err instanceof InputError ? err.message : describeError(err);
    reporter.error(msg);
    reporter.failed(msg);
    if (process.env.SHISHA_OPS_DEBUG && err instanceof Error && err.stack) reporter.debug(err.stack);
  }
  try {
    await reporter.flush();
  } catch (err) {
    reporter.warn(`could not write the summary: ${describeError(err)}`);
  }
  return code;
}
