import { s3Client } from '../core/aws.js';
import { InputError, describeError } from '../core/errors.js';
import { getBoolean, getString, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { getRegion, getServiceName } from '../backend/deploy-inputs.js';
import { rollbackBackend, type RollbackOptions } from '../backend/rollback.js';
import { rollbackFrontend } from '../frontend/rollback.js';
import { isReleaseId } from '../frontend/releases.js';
import { BACKEND_DEFAULTS } from '../backend/defaults.js';
import { FRONTEND_DEFAULTS } from '../frontend/defaults.js';
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
export async function withDeployLock(
  lockBucket: string,
  what: string,
  src: InputSource,
  reporter: Reporter,
  rollback: (onChange: () => void) => Promise<void>,
): Promise<void> {
  let changed = false;
  const lock = async () => {
    const info = await writeLock(s3Client(), lockBucket, what, getString(src, 'reason'));
    reporter.info(
      `deploys are now ${describeLock(info)}; clear with \`shisha-ops unlock --bucket ${lockBucket}\` once the fix is on main`,
    );
    reporter.output('locked', true);
  };
  try {
    await rollback(() => {
      changed = true;
    });
  } catch (err) {
    if (changed)
      await lock().catch((e: unknown) => reporter.warn(`could not write the deploy lock: ${describeError(e)}`));
    else reporter.info('nothing was changed: deploys are not locked');
    throw err;
  }
  await lock();
}

/** `shisha-ops frontend rollback`: the release rollback, then the lock in the same bucket (unless `lock` is false or a dry run). */
export async function frontendRollbackJob(src: InputSource, reporter: Reporter): Promise<void> {
  const bucket = getLockBucket(src, 'bucket', true);
  const lock =
    getBoolean(src, 'lock', FRONTEND_DEFAULTS.lock) && !getBoolean(src, 'dry-run', FRONTEND_DEFAULTS['dry-run']);
  const what = `frontend to ${getString(src, 'release-id') || 'the previous release'}`;
  if (!lock) return rollbackFrontend(src, reporter);
  await withDeployLock(bucket, what, src, reporter, (onChange) => rollbackFrontend(src, reporter, { onChange }));
}

/** `shisha-ops backend rollback`: the version rollback, then the lock in `lock-bucket` when given. */
export async function backendRollbackJob(
  src: InputSource,
  reporter: Reporter,
  options: RollbackOptions = {},
): Promise<void> {
  const lockBucket = getLockBucket(src, 'lock-bucket');
  const what = `backend to ${getString(src, 'version') || 'the previous version'}`;
  if (!lockBucket || !getBoolean(src, 'lock', BACKEND_DEFAULTS.lock)) {
    if (!lockBucket)
      reporter.warn('no lock-bucket given: deploys are not locked, the next push to main redeploys the newest image');
    return rollbackBackend(src, reporter, options);
  }
  await withDeployLock(lockBucket, what, src, reporter, (onChange) =>
    rollbackBackend(src, reporter, { ...options, onChange }),
  );
}

/**
 * `shisha-ops rollback --part frontend|backend|both --target previous|<id>` and the ops action's rollback: rolls back
 * the SPA (a release id), the API (a Lightsail version) or both (previous only), then locks deploys.
 */
export async function rollbackJob(src: InputSource, reporter: Reporter, options: RollbackOptions = {}): Promise<void> {
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
  // Checked before the SPA part changes anything: a bad backend input must not leave a half-done rollback.
  if (part !== 'frontend') {
    getServiceName(src);
    getRegion(src);
  }
  const id = target === 'previous' ? '' : target;
  const frontend: InputSource = (n) => (n === 'release-id' ? id : src(n));
  const backend: InputSource = (n) => (n === 'version' ? id : src(n));
  const what = `${part} to ${target === 'previous' ? 'the previous release/version' : target}`;
  await withDeployLock(bucket, what, src, reporter, async (onChange) => {
    // The SPA first: an older SPA keeps working against the newer API more often than the other way round.
    if (part !== 'backend') await rollbackFrontend(frontend, reporter, { onChange });
    if (part !== 'frontend') await rollbackBackend(backend, reporter, { ...options, onChange });
  });
}
