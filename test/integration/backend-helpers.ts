/** Shared by the backend integration tests: a Lightsail fake per test file, the AWS variables, captured output. */
import { lightsailClient } from '../../src/core/aws.js';
import type { InputSource } from '../../src/core/inputs.js';
import { inputsFrom } from '../../src/core/inputs.js';
import type { Reporter } from '../../src/core/reporter.js';
import { TerminalReporter } from '../../src/core/reporter-terminal.js';
import { runJob } from '../../src/core/run.js';
import type { Timing } from '../../src/backend/timing.js';
import { awsEnvFor } from '../lab/index.js';
import { LightsailFake } from '../lab/lightsail-fake.js';

export const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;
export const image = (name: string, c = 'a') => `public.ecr.aws/shisha/${name}@${DIGEST(c)}`;

/** Short intervals so tests run in well under a second per deployment. */
export const FAST: Partial<Timing> = { pollMs: 20, maxPollMs: 60, healthAttempts: 3, healthIntervalMs: 20, healthRequestMs: 2000 };

/** Starts a fake and points this process's standard AWS variables at it; returns a stop function restoring them. */
export async function startFake(activationMs = 150): Promise<{ fake: LightsailFake; stop: () => Promise<void> }> {
  const fake = new LightsailFake({ activationMs });
  const env = awsEnvFor({ lightsail: await fake.start() });
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return {
    fake,
    async stop() {
      await fake.stop();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}

export interface Run {
  code: number;
  out: string;
  err: string;
  all: string;
  reporter: TerminalReporter;
  outputs: Map<string, string>;
}

/** Runs a job as the CLI would (runJob + TerminalReporter), capturing stdout and stderr. */
export async function runCaptured(
  job: (inputs: InputSource, reporter: Reporter) => Promise<void>,
  values: Record<string, string>,
): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const reporter = new TerminalReporter({ write: (s: string) => out.push(s) }, { write: (s: string) => err.push(s) }, true);
  const code = await runJob(reporter, () => job(inputsFrom(values), reporter));
  return { code, out: out.join(''), err: err.join(''), all: out.join('') + err.join(''), reporter, outputs: reporter.outputs };
}

export { lightsailClient };
