import type { InputSource } from './inputs.js';
import type { OutputValue, Reporter } from './reporter.js';

/**
 * A command's outputs, read from its result: output name → value (undefined: the output is not set). The getters see
 * a `Partial` result: when the command fails, the facts it already knew (see `failedWith`) still become outputs.
 * test/unit/action-contract.test.ts compares these names with each action.yml's outputs.
 */
export type Outputs<R> = Record<string, (result: Partial<R>) => OutputValue | undefined>;

/**
 * One command, in the shape every command has: `parse` validates the inputs before anything remote (an InputError
 * exits 2), `clients` builds the area's AWS clients for them (src/<area>/clients.ts, the only callers of
 * core/aws.ts), `run` does the work with the clients passed in and returns a typed result, `outputs` reads the
 * outputs from that result and `report` writes its headline and summary. `O` are options for tests and benchmarks
 * (clocks, poll timing), never inputs.
 */
export interface CommandSpec<I, C, R, O> {
  parse: (src: InputSource, reporter: Reporter) => I;
  clients: (inputs: I) => C;
  run: (inputs: I, clients: C, reporter: Reporter, options?: O) => Promise<R>;
  outputs?: Outputs<R>;
  report?: (result: R, inputs: I, reporter: Reporter) => void;
}

/** A command's entry point, as the actions (core/action.ts) and the CLI (cli/common.ts) call it. */
export type CommandEntry<R = unknown, O = never> = ((
  src: InputSource,
  reporter: Reporter,
  options?: O,
) => Promise<R>) & {
  /** The names of the outputs the command sets (from its `outputs` table). */
  readonly outputs: readonly string[];
};

const PARTIAL = Symbol('partial result');

/**
 * The error a command fails with, carrying what it already knew (the version it created, that the drill failed,
 * that deploys are locked): `command` still writes those outputs. Returns `err`.
 */
export function failedWith<R>(err: unknown, known: Partial<R>): unknown {
  if (typeof err === 'object' && err !== null) {
    const earlier = (err as { [PARTIAL]?: Partial<R> })[PARTIAL];
    Object.defineProperty(err, PARTIAL, { value: { ...earlier, ...known }, configurable: true });
  }
  return err;
}

/** Runs `fn`; when it throws, the error carries `known` as it stands then (see `failedWith`). */
export async function recording<R, T>(known: Partial<R>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw failedWith(err, known);
  }
}

function writeOutputs<R>(outputs: Outputs<R>, result: Partial<R>, reporter: Reporter): void {
  for (const [name, value] of Object.entries(outputs)) {
    const v = value(result);
    if (v !== undefined) reporter.output(name, v);
  }
}

/** The entry point of a command: parse → clients → run → outputs and report. */
export function command<I, C, R, O = never>(spec: CommandSpec<I, C, R, O>): CommandEntry<R, O> {
  const outputs = spec.outputs ?? {};
  const entry = async (src: InputSource, reporter: Reporter, options?: O): Promise<R> => {
    const inputs = spec.parse(src, reporter);
    let result: R;
    try {
      result = await spec.run(inputs, spec.clients(inputs), reporter, options);
    } catch (err) {
      const known = typeof err === 'object' && err !== null ? (err as { [PARTIAL]?: Partial<R> })[PARTIAL] : undefined;
      if (known) writeOutputs(outputs, known, reporter);
      throw err;
    }
    writeOutputs(outputs, result as Partial<R>, reporter);
    spec.report?.(result, inputs, reporter);
    return result;
  };
  return Object.assign(entry, { outputs: Object.keys(outputs) });
}
