import { InputError } from '../core/errors.js';
import { getBoolean, getInt, getString, shown, type InputSource } from '../core/inputs.js';
import { checkBucketName } from '../core/s3.js';
import { cacheRules, type CacheRule } from './cache-rules.js';
import { FRONTEND_DEFAULTS as D } from './defaults.js';
import { RELEASES_DIR, hasControlCharacter, keyPrefix } from './releases.js';

/** Where the bucket is and how to reach CloudFront: shared by every frontend command. */
export interface TargetOptions {
  bucket: string;
  prefix: string;
  distributionId: string;
  invalidate: boolean;
  waitForInvalidation: boolean;
  dryRun: boolean;
  concurrency: number;
}

export interface DeployOptions extends TargetOptions {
  sourceDir: string;
  rules: CacheRule[];
  keepReleases: number;
  /** Days a release's files stay after it, however many releases follow (0: only `keepReleases` counts). */
  keepDays: number;
  /** Deploy hidden files and folders (`.env`, `.git/`) too; off by default. */
  includeDotfiles: boolean;
}

/** S3's limit on a key's length (UTF-8 bytes). */
export const MAX_KEY_BYTES = 1024;
/** Room left for `_releases/running/<run id>.json` and the like. */
const MAX_PREFIX_BYTES = MAX_KEY_BYTES - 64;

const DISTRIBUTION = /^[A-Z0-9]{6,32}$/;

export function parseTarget(inputs: InputSource, opts: { needsBucketOnly?: boolean } = {}): TargetOptions {
  const bucket = checkBucketName('bucket', getString(inputs, 'bucket', { required: true }));
  const given = inputs('prefix') ?? '';
  if (given && !given.trim())
    throw new InputError('prefix', 'is only whitespace: leave it empty to deploy to the bucket root');
  const rawPrefix = getString(inputs, 'prefix');
  const prefix = keyPrefix(rawPrefix);
  if (rawPrefix && !prefix)
    throw new InputError(
      'prefix',
      `'${shown(rawPrefix)}' names no folder: leave prefix empty to deploy to the bucket root`,
    );
  if (hasControlCharacter(prefix))
    throw new InputError('prefix', `${JSON.stringify(shown(prefix))} contains a control character`);
  if (prefix.split('/').some((s) => s === '..' || s === '.'))
    throw new InputError('prefix', `'${shown(prefix)}' must not contain '.' or '..' segments`);
  if (prefix && prefix.slice(0, -1).split('/').includes(''))
    throw new InputError('prefix', `'${shown(prefix)}' must not contain an empty segment ('//')`);
  if (Buffer.byteLength(prefix) > MAX_PREFIX_BYTES) {
    throw new InputError(
      'prefix',
      `'${shown(prefix)}' is ${Buffer.byteLength(prefix)} bytes long: at most ${MAX_PREFIX_BYTES} (S3 keys are at most ${MAX_KEY_BYTES} bytes, and the release files need the rest)`,
    );
  }
  if (prefix.split('/').includes(RELEASES_DIR.slice(0, -1))) {
    throw new InputError(
      'prefix',
      `'${shown(prefix)}' uses '${RELEASES_DIR.slice(0, -1)}', the folder reserved for release manifests`,
    );
  }
  if (opts.needsBucketOnly)
    return {
      bucket,
      prefix,
      distributionId: '',
      invalidate: false,
      waitForInvalidation: false,
      dryRun: false,
      concurrency: D.concurrency,
    };
  const distributionId = getString(inputs, 'distribution-id');
  if (distributionId && !DISTRIBUTION.test(distributionId)) {
    throw new InputError(
      'distribution-id',
      `'${shown(distributionId)}' is not a CloudFront distribution id (uppercase letters and digits, e.g. E2QWRUHAPOMQZL)`,
    );
  }
  return {
    bucket,
    prefix,
    distributionId,
    invalidate: getBoolean(inputs, 'invalidate', D.invalidate),
    waitForInvalidation: getBoolean(inputs, 'wait-for-invalidation', D['wait-for-invalidation']),
    dryRun: getBoolean(inputs, 'dry-run', D['dry-run']),
    concurrency: getInt(inputs, 'concurrency', { default: D.concurrency, min: 1, max: 256 }),
  };
}

/** Every deploy input, validated before anything remote happens. Defaults from defaults.ts. */
export function parseFrontendDeployInputs(inputs: InputSource): DeployOptions {
  const sourceDir = getString(inputs, 'source-dir', { required: true });
  const target = parseTarget(inputs);
  return {
    ...target,
    sourceDir,
    rules: cacheRules(inputs('cache-rules') ?? ''),
    keepReleases: getInt(inputs, 'keep-releases', { default: D['keep-releases'], min: 1, max: 100 }),
    keepDays: getInt(inputs, 'keep-days', { default: D['keep-days'], min: 0, max: 365 }),
    includeDotfiles: getBoolean(inputs, 'include-dotfiles', D['include-dotfiles']),
  };
}
