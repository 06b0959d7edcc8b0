import type { Command } from 'commander';
import { inputsFrom, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { TerminalReporter } from '../core/reporter-terminal.js';
import { runJob } from '../core/run.js';

/*
 * Help conventions for every flag of every command (test/unit/cli-help.test.ts checks them all):
 * - a flag that takes a value ends its description with `(required)` or `(default: <value>)`, written with
 *   `required()` / `byDefault()` below; extra words go after a `;` inside the same parentheses
 *   (`(required; secret)`, `(default: none; no invalidation)`);
 * - an on/off setting is a plain switch, never `<bool>`: `--dry-run` when it is off unless given,
 *   `--no-invalidate` when it is on unless given. The actions keep their 'true'/'false' inputs:
 *   flagsToInputs turns a switch into that string for the core.
 */

/** Description of a flag that must be given: `what (required)`, or `(required; note)`. */
export function required(what: string, note?: string): string {
  return `${what} (required${note ? `; ${note}` : ''})`;
}

/** Description of an optional flag with its default: `what (default: value)`, or `(default: value; note)`. */
export function byDefault(what: string, value: string | number, note?: string): string {
  return `${what} (default: ${value}${note ? `; ${note}` : ''})`;
}

/** `--region` of the commands that call Lightsail (the container service's region). */
export const REGION_HELP = byDefault('region of the container service', 'AWS_REGION');

/** For repeatable flags: `--x a --x b` collects ['a', 'b'] (given to the core as lines). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** commander's camelCase option keys back to the kebab-case input names (`sourceDir` → `source-dir`). */
export function flagsToInputs(opts: Record<string, unknown>): InputSource {
  const values: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(opts)) {
    if (v === undefined) continue;
    values[k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = Array.isArray(v) ? v.join('\n') : String(v);
  }
  return inputsFrom(values);
}

/** Runs one CLI sub-command over the core with a terminal reporter; sets the exit code (0, 1, 2). */
export async function runCli(
  opts: Record<string, unknown>,
  job: (inputs: InputSource, reporter: Reporter) => Promise<unknown>,
  reporter: Reporter = new TerminalReporter(),
): Promise<number> {
  const code = await runJob(reporter, () => job(flagsToInputs(opts), reporter));
  process.exitCode = code;
  return code;
}

/** Adds a sub-command whose action runs `job` with the parsed flags. */
export function jobCommand(
  parent: Command,
  name: string,
  description: string,
  configure: (cmd: Command) => Command,
  job: (inputs: InputSource, reporter: Reporter) => Promise<unknown>,
): Command {
  const cmd = configure(parent.command(name).description(description));
  cmd.action(async (opts: Record<string, unknown>) => {
    await runCli(opts, job);
  });
  return cmd;
}
