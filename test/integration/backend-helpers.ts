/** Shared by the backend integration tests: a Lightsail fake per test file, the AWS variables, captured output. */
import { lightsailClient } from '../../src/core/aws.js';
import type { InputSource } from '../../src/core/inputs.js';
import type { Reporter } from '../../src/core/reporter.js';
import type { Timing } from '../../src/backend/timing.js';
import { awsEnvFor } from '../lab/index.js';
import { LightsailFake } from '../lab/lightsail-fake.js';
import { runCaptured as captureRun, type CapturedRun } from '../lab/capture.js';
import { command } from '../../src/core/command.js';
import { backendClients } from '../../src/backend/clients.js';
import {
  BACKEND_ROLLBACK_OUTPUTS,
  parseBackendVersionInputs,
  rollbackBackend as rollbackVersion,
} from '../../src/backend/rollback.js';

export const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;
export const image = (name: string, c = 'a') => `public.ecr.aws/shisha/${name}@${DIGEST(c)}`;

/** Short intervals so tests run in well under a second per deployment. */
export const FAST: Partial<Timing> = {
  pollMs: 20,
  maxPollMs: 60,
  healthAttempts: 3,
  healthIntervalMs: 20,
  healthRequestMs: 2000,
};

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

export type Run = CapturedRun;

/** Runs a job as the CLI would, capturing stdout and stderr (debug lines included: they must not leak secrets either). */
export const runCaptured = (
  job: (inputs: InputSource, reporter: Reporter) => Promise<unknown>,
  values: Record<string, string>,
): Promise<Run> => captureRun(job, values, { verbose: true });

export { lightsailClient };

/** The version rollback without the deploy lock (what `backend rollback` runs without lock-bucket), as a command. */
export const rollbackBackend = command({
  parse: parseBackendVersionInputs,
  clients: backendClients,
  run: rollbackVersion,
  outputs: BACKEND_ROLLBACK_OUTPUTS,
});
