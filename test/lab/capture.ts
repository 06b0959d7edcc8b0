/**
 * Running the core as the CLI does (runJob + a TerminalReporter), with everything it prints captured, so tests can
 * assert on exit codes, outputs and what a user would see (and that no secret is in it).
 */
import type { InputSource } from '../../src/core/inputs.js';
import { inputsFrom } from '../../src/core/inputs.js';
import type { Reporter } from '../../src/core/reporter.js';
import { TerminalReporter } from '../../src/core/reporter-terminal.js';
import { runJob } from '../../src/core/run.js';

/** A terminal reporter writing into strings; `verbose` includes debug lines. */
export function captureReporter(verbose = false): {
  reporter: TerminalReporter;
  out: () => string;
  err: () => string;
  text: () => string;
} {
  let out = '';
  let err = '';
  const reporter = new TerminalReporter(
    { write: (s: string) => (out += s) },
    { write: (s: string) => (err += s) },
    verbose,
  );
  return { reporter, out: () => out, err: () => err, text: () => out + err };
}

export interface CapturedRun {
  code: number;
  out: string;
  err: string;
  /** stdout followed by stderr. */
  all: string;
  reporter: TerminalReporter;
  outputs: Map<string, string>;
}

/** Runs a job with the given input values as the CLI would, capturing stdout and stderr. */
export async function runCaptured(
  job: (inputs: InputSource, reporter: Reporter) => Promise<unknown>,
  values: Record<string, string | number | boolean | undefined>,
  opts: { verbose?: boolean } = {},
): Promise<CapturedRun> {
  const c = captureReporter(opts.verbose);
  const code = await runJob(c.reporter, () => job(inputsFrom(values), c.reporter));
  return { code, out: c.out(), err: c.err(), all: c.text(), reporter: c.reporter, outputs: c.reporter.outputs };
}
