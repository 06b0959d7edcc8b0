import { InputError, describeError } from '../core/errors.js';
import { getBoolean, getString, type InputSource } from '../core/inputs.js';
import { failedWith, recording, type Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BackendClients } from '../backend/clients.js';
import { BACKEND_DEFAULTS } from '../backend/defaults.js';
import {
  BACKEND_ROLLBACK_OUTPUTS,
  parseBackendVersionInputs,
  rollbackBackend,
  type BackendRollbackResult,
  type BackendVersionInputs,
  type RollbackOptions,
} from '../backend/rollback.js';
import type { FrontendClients } from '../frontend/clients.js';
import { FRONTEND_DEFAULTS } from '../frontend/defaults.js';
import {
  FRONTEND_ROLLBACK_OUTPUTS,
  parseFrontendReleaseInputs,
  rollbackFrontend,
  type FrontendReleaseInputs,
  type FrontendRollbackResult,
} from '../frontend/rollback.js';
import { isReleaseId } from '../frontend/releases.js';
import type { OpsClients } from './clients.js';
import { OPS_DEFAULTS } from './defaults.js';
import { describeLock, getLockBucket, writeLock } from './lock.js';

const PARTS = ['frontend', 'backend', 'both'] as const;
type Part = (typeof PARTS)[number];

/**
 * Runs a rollback, then writes the deploy lock so the next push does not redeploy what was rolled back. The lock is
 * written when the rollback changed, or may have changed, something: it succeeded, or failed after it called
 * `onChange` (just before its first remote change). Bad input and refusals before that change nothing and lock
 * nothing. A lock that cannot be written after a rollback is an error of its own.
 */
export async function withDeployLock<T extends object>(
  s3: S3Client,
  lockBucket: string,
  what: string,
  reason: string,
  reporter: Reporter,
  rollback: (onChange: () => void) => Promise<T>,
): Promise<T & Locked> {
  let changed = false;
  const lock = async () => {
    const info = await writeLock(s3, lockBucket, what, reason);
    reporter.info(
      `deploys are now ${describeLock(info)}; clear with \`shisha-ops unlock --bucket ${lockBucket}\` once the fix is on main`,
    );
  };
  let result: T;
  try {
    result = await rollback(() => {
      changed = true;
    });
  } catch (err) {
    if (!changed) {
      reporter.info('nothing was changed: deploys are not locked');
      throw err;
    }
    try {
      await lock();
    } catch (e) {
      reporter.warn(`could not write the deploy lock: ${describeError(e)}`);
      throw err;
    }
    throw failedWith<Locked>(err, { locked: true });
  }
  await recording(result, lock); // a lock that cannot be written fails the rollback, whose outputs stand
  return { ...result, locked: true };
}

/** Whether a rollback locked deploys (output `locked`; unset when it did not). */
export interface Locked {
  locked?: boolean;
}

export const ROLLBACK_LOCK_OUTPUTS: Outputs<Locked> = { locked: (r) => r.locked };

/** `frontend rollback`: the release rollback's inputs, and whether to lock deploys afterwards (never on a dry run). */
export interface FrontendRollbackInputs extends FrontendReleaseInputs {
  lock: boolean;
  reason: string;
}

export function parseFrontendRollbackInputs(src: InputSource): FrontendRollbackInputs {
  getLockBucket(src, 'bucket', true);
  const lock =
    getBoolean(src, 'lock', FRONTEND_DEFAULTS.lock) && !getBoolean(src, 'dry-run', FRONTEND_DEFAULTS['dry-run']);
  return { ...parseFrontendReleaseInputs(src), lock, reason: getString(src, 'reason') };
}

/** `shisha-ops frontend rollback`: the release rollback, then the lock in the same bucket (unless `lock` is false or a dry run). */
export async function frontendRollbackJob(
  inputs: FrontendRollbackInputs,
  clients: FrontendClients,
  reporter: Reporter,
): Promise<FrontendRollbackResult & Locked> {
  const what = `frontend to ${inputs.releaseId || 'the previous release'}`;
  if (!inputs.lock) return rollbackFrontend(inputs, clients, reporter);
  return withDeployLock(clients.s3, inputs.bucket, what, inputs.reason, reporter, (onChange) =>
    rollbackFrontend(inputs, clients, reporter, { onChange }),
  );
}

/** `backend rollback`: the version rollback's inputs, and the bucket to lock deploys in (empty: none). */
export interface BackendRollbackInputs extends BackendVersionInputs {
  lockBucket: string;
  lock: boolean;
  reason: string;
}

export function parseBackendRollbackInputs(src: InputSource): BackendRollbackInputs {
  const lockBucket = getLockBucket(src, 'lock-bucket');
  const lock = getBoolean(src, 'lock', BACKEND_DEFAULTS.lock);
  return { ...parseBackendVersionInputs(src), lockBucket, lock, reason: getString(src, 'reason') };
}

/** `shisha-ops backend rollback`: the version rollback, then the lock in `lock-bucket` when given. */
export async function backendRollbackJob(
  inputs: BackendRollbackInputs,
  clients: BackendClients,
  reporter: Reporter,
  options: RollbackOptions = {},
): Promise<BackendRollbackResult & Locked> {
  const what = `backend to ${inputs.version ?? 'the previous version'}`;
  if (!inputs.lockBucket || !inputs.lock) {
    if (!inputs.lockBucket)
      reporter.warn('no lock-bucket given: deploys are not locked, the next push to main redeploys the newest image');
    return rollbackBackend(inputs, clients, reporter, options);
  }
  return withDeployLock(clients.s3, inputs.lockBucket, what, inputs.reason, reporter, (onChange) =>
    rollbackBackend(inputs, clients, reporter, { ...options, onChange }),
  );
}

/** `rollback`: which part, to what, the bucket holding the deploy lock, and each part's own inputs. */
export interface OpsRollbackInputs {
  part: Part;
  target: string;
  bucket: string;
  reason: string;
  /** The SPA part (part frontend or both). */
  frontend?: FrontendReleaseInputs;
  /** The API part (part backend or both). */
  backend?: BackendVersionInputs;
  /** Region of the container service (for the clients). */
  region?: string;
}

export function parseOpsRollbackInputs(src: InputSource): OpsRollbackInputs {
  const part = getString(src, 'part', { required: true }) as Part;
  if (!PARTS.includes(part)) throw new InputError('part', `expected one of ${PARTS.join(', ')}, got '${part}'`);
  const target = getString(src, 'target', { default: OPS_DEFAULTS.target });
  if (target !== 'previous') {
    if (part === 'both')
      throw new InputError(
        'target',
        `expected 'previous' when part is both (a release id or a version names one part), got '${target}'`,
      );
    if (part === 'frontend' && !isReleaseId(target))
      throw new InputError(
        'target',
        `expected 'previous' or a release id (e.g. 20261124T232735.123Z-1a2b3c4d; see 'frontend releases'), got '${target}'`,
      );
    if (part === 'backend' && !/^[1-9]\d*$/.test(target))
      throw new InputError(
        'target',
        `expected 'previous' or a version number (see 'backend releases'), got '${target}'`,
      );
  }
  const bucket = getLockBucket(src, 'bucket', true);
  // Every part's inputs are checked before the SPA part changes anything: no half-done rollback on bad input.
  const id = target === 'previous' ? '' : target;
  const backend = part !== 'frontend' ? parseBackendVersionInputs((n) => (n === 'version' ? id : src(n))) : undefined;
  const frontend =
    part !== 'backend' ? parseFrontendReleaseInputs((n) => (n === 'release-id' ? id : src(n))) : undefined;
  return { part, target, bucket, reason: getString(src, 'reason'), frontend, backend, region: backend?.region };
}

/**
 * `shisha-ops rollback --part frontend|backend|both --target previous|<id>` and the ops action's rollback: rolls back
 * the SPA (a release id), the API (a Lightsail version) or both (previous only), then locks deploys.
 */
export async function opsRollbackJob(
  inputs: OpsRollbackInputs,
  clients: OpsClients,
  reporter: Reporter,
  options: RollbackOptions = {},
): Promise<OpsRollbackResult> {
  const { part, target, frontend, backend } = inputs;
  const what = `${part} to ${target === 'previous' ? 'the previous release/version' : target}`;
  return withDeployLock(clients.s3, inputs.bucket, what, inputs.reason, reporter, async (onChange) => {
    // The SPA first: an older SPA keeps working against the newer API more often than the other way round.
    const spa = frontend ? await rollbackFrontend(frontend, clients, reporter, { onChange }) : {};
    const api = backend
      ? await recording(spa, () => rollbackBackend(backend, clients, reporter, { ...options, onChange }))
      : {};
    return { ...spa, ...api };
  });
}

/** What `rollback` did: the SPA part's and the API part's results (each when rolled back), and the lock. */
export type OpsRollbackResult = Partial<FrontendRollbackResult> & Partial<BackendRollbackResult> & Locked;

export const OPS_ROLLBACK_OUTPUTS: Outputs<OpsRollbackResult> = {
  ...FRONTEND_ROLLBACK_OUTPUTS,
  ...BACKEND_ROLLBACK_OUTPUTS,
  ...ROLLBACK_LOCK_OUTPUTS,
};
