/**
 * A small model of how GitHub's runner executes the workflows in .github/workflows, for tests: which jobs a run
 * holds (reusable workflows included), what each job needs, and, step by step, the environment a step sees:
 * workflow `env`, then job `env`, then what earlier steps exported through `GITHUB_ENV` (which overrides both, in the
 * process environment and in `${{ env.X }}` alike), then the step's own `env`. From that it tells in which region
 * each of our actions calls AWS.
 *
 * Expressions other than `${{ env.X }}` (secrets, needs, steps, github) are kept as opaque `<expr>` values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const workflowsDir = path.resolve(import.meta.dirname, '..', '..', '.github', 'workflows');

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
  env?: Record<string, unknown>;
  if?: string;
}
export interface Job {
  name?: string;
  uses?: string;
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string; url?: string };
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  outputs?: Record<string, string>;
  env?: Record<string, unknown>;
  with?: Record<string, unknown>;
  steps?: Step[];
}
export interface Workflow {
  name?: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export const workflowFiles = (): string[] =>
  readdirSync(workflowsDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
export const workflowText = (file: string): string => readFileSync(path.join(workflowsDir, file), 'utf8');
export const loadWorkflow = (file: string): Workflow => parse(workflowText(file)) as Workflow;

export const environmentOf = (j: Job): string | undefined =>
  typeof j.environment === 'string' ? j.environment : j.environment?.name;
export const needsOf = (j: Job): string[] =>
  j.needs === undefined ? [] : Array.isArray(j.needs) ? j.needs : [j.needs];

/** A job of a run: `caller/job` for the jobs of a reusable workflow called by job `caller`. */
export interface RunJob {
  id: string;
  job: Job;
  /** Jobs of the run this one waits for, directly or through others (ids as in `id`). */
  ancestors: Set<string>;
  /** The workflow file the job is written in. */
  file: string;
}

/** Every job one run of `file` holds, reusable workflows (`uses: ./.github/workflows/x.yml`) expanded. */
export function runJobs(file: string): RunJob[] {
  const w = loadWorkflow(file);
  const out: RunJob[] = [];
  const direct = (id: string): string[] => needsOf(w.jobs[id]!);
  const closure = (id: string, seen = new Set<string>()): Set<string> => {
    for (const n of direct(id)) {
      if (seen.has(n)) continue;
      seen.add(n);
      closure(n, seen);
    }
    return seen;
  };
  for (const [id, job] of Object.entries(w.jobs)) {
    const ancestors = new Set([...closure(id)].flatMap((a) => [a, ...calledJobIds(w.jobs[a]!, a)]));
    out.push({ id, job, ancestors, file });
    if (job.uses?.startsWith('./.github/workflows/')) {
      const called = path.basename(job.uses);
      for (const inner of runJobs(called)) {
        out.push({
          ...inner,
          id: `${id}/${inner.id}`,
          ancestors: new Set([...ancestors, ...[...inner.ancestors].map((a) => `${id}/${a}`)]),
        });
      }
    }
  }
  return out;
}

function calledJobIds(job: Job, id: string): string[] {
  if (!job.uses?.startsWith('./.github/workflows/')) return [];
  return runJobs(path.basename(job.uses)).map((j) => `${id}/${j.id}`);
}

type Env = Record<string, string>;

/** `${{ env.X }}` from `env`; any other expression stays as `<expr>`. */
export function evaluate(value: unknown, env: Env): string {
  return String(value ?? '').replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => {
    const v = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
    if (v) return env[v[1]!] ?? '';
    return `<${expr}>`;
  });
}

function evaluateAll(values: Record<string, unknown> | undefined, env: Env): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(values ?? {})) out[k] = evaluate(v, env);
  return out;
}

/** What an action writes to GITHUB_ENV, as its documentation says (only the actions our workflows use). */
const ACTION_EXPORTS: Record<string, (inputs: Env) => Env> = {
  // aws-actions/configure-aws-credentials: "exports AWS_REGION and AWS_DEFAULT_REGION" (README, "Region").
  'aws-actions/configure-aws-credentials': (inputs) => ({
    AWS_REGION: inputs['aws-region'] ?? '',
    AWS_DEFAULT_REGION: inputs['aws-region'] ?? '',
    AWS_ACCESS_KEY_ID: '<assumed role>',
    AWS_SECRET_ACCESS_KEY: '<assumed role>',
    AWS_SESSION_TOKEN: '<assumed role>',
  }),
};

/** `echo "NAME=value" >> "$GITHUB_ENV"` lines of a run script (values with shell expansions stay opaque). */
function runExports(script: string, env: Env): { exports: Env; opaque: boolean } {
  const exports: Env = {};
  let opaque = false;
  for (const line of script.split('\n')) {
    if (!/GITHUB_ENV/.test(line)) continue;
    const m = /^\s*echo\s+["']?([A-Za-z_][A-Za-z0-9_]*)=([^"'>]*)["']?\s*>>\s*"?\$\{?GITHUB_ENV\}?"?\s*$/.exec(line);
    if (m) exports[m[1]!] = /\$/.test(m[2]!) ? `<shell: ${m[2]}>` : evaluate(m[2], env);
    else opaque = true; // e.g. a program given "$GITHUB_ENV" as an argument
  }
  return { exports, opaque };
}

export interface WalkedStep {
  index: number;
  step: Step;
  /** The process environment the step runs with. */
  env: Env;
  /** Its `with:` inputs, evaluated. */
  inputs: Env;
  /** True once a configure-aws-credentials step has run in this job (real AWS credentials, not a stand-in). */
  assumedRole: boolean;
  /** True once a run step wrote GITHUB_ENV in a way this model cannot read. */
  opaqueEnv: boolean;
}

/** Walks a job's steps as the runner runs them. */
export function walkJob(w: Workflow, job: Job): WalkedStep[] {
  const base: Env = {};
  Object.assign(base, evaluateAll(w.env, base));
  Object.assign(base, evaluateAll(job.env, base));
  const exported: Env = {};
  let assumedRole = false;
  let opaqueEnv = false;
  const out: WalkedStep[] = [];
  (job.steps ?? []).forEach((step, index) => {
    const context = { ...base, ...exported };
    const stepEnv = evaluateAll(step.env, context);
    const env = { ...context, ...stepEnv };
    const inputs = evaluateAll(step.with, env);
    out.push({ index, step, env, inputs, assumedRole, opaqueEnv });
    const action = step.uses?.split('@')[0];
    if (action && ACTION_EXPORTS[action]) {
      Object.assign(exported, ACTION_EXPORTS[action](inputs));
      if (action === 'aws-actions/configure-aws-credentials') assumedRole = true;
    }
    if (step.run) {
      const r = runExports(step.run, env);
      Object.assign(exported, r.exports);
      opaqueEnv ||= r.opaque;
    }
  });
  return out;
}

export interface AwsCall {
  /** e.g. `./actions/deploy-backend (Lightsail)`. */
  what: string;
  region: string;
}

/** The AWS calls a step makes and the region of each, as our actions and CLI pick it. */
export function awsCallsOf(s: WalkedStep): AwsCall[] {
  const envRegion = s.env.AWS_REGION || s.env.AWS_DEFAULT_REGION || '';
  const uses = s.step.uses ?? '';
  if (uses === './actions/deploy-backend')
    return [{ what: `${uses} (Lightsail)`, region: s.inputs.region || envRegion }];
  if (uses === './actions/deploy-frontend') return [{ what: `${uses} (S3; CloudFront is global)`, region: envRegion }];
  if (uses.startsWith('./actions/')) return [{ what: uses, region: s.inputs.region || envRegion }];
  const run = s.step.run ?? '';
  if (/\bshisha-ops\b|bin\/shisha-ops\.js|npm run cli\b/.test(run)) {
    const flag = /--region[= ](\S+)/.exec(run)?.[1];
    return [{ what: 'shisha-ops CLI', region: flag ? evaluate(flag, s.env) : envRegion }];
  }
  if (/(^|\s)aws\s+[a-z]/m.test(run)) {
    const flag = /--region[= ](\S+)/.exec(run)?.[1];
    return [{ what: 'aws CLI', region: flag ? evaluate(flag, s.env) : envRegion }];
  }
  return [];
}
