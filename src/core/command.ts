import type { InputSource } from './inputs.js';
import type { Reporter } from './reporter.js';

/**
 * One command, in the shape every command has: `parse` validates the inputs before anything remote (an InputError
 * exits 2), `clients` builds the area's AWS clients for them (src/<area>/clients.ts, the only callers of
 * core/aws.ts), `run` does the work with the clients passed in and returns a typed result, and `report` turns the
 * result into outputs and summary lines. `O` are options for tests and benchmarks (clocks, poll timing), never inputs.
 */
export interface CommandSpec<I, C, R, O> {
  parse: (src: InputSource, reporter: Reporter) => I;
  clients: (inputs: I) => C;
  run: (inputs: I, clients: C, reporter: Reporter, options?: O) => Promise<R>;
  report?: (result: R, inputs: I, reporter: Reporter) => void;
}

/** A command's entry point, as the actions (core/action.ts) and the CLI (cli/common.ts) call it. */
export type CommandEntry<R = unknown, O = never> = (src: InputSource, reporter: Reporter, options?: O) => Promise<R>;

/** The entry point of a command: parse → clients → run → report. */
export function command<I, C, R, O = never>(spec: CommandSpec<I, C, R, O>): CommandEntry<R, O> {
  return async (src, reporter, options) => {
    const inputs = spec.parse(src, reporter);
    const result = await spec.run(inputs, spec.clients(inputs), reporter, options);
    spec.report?.(result, inputs, reporter);
    return result;
  };
}
