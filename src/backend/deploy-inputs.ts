import { InputError } from '../core/errors.js';
import { getInt, getMap, getMinutes, getString, type InputSource } from '../core/inputs.js';
import type { Reporter } from '../core/reporter.js';
import { BACKEND_DEFAULTS } from './defaults.js';
import { getLockBucket } from '../ops/lock.js';
import { mutableImageWarning, parseImageRef, type ImageRef } from './image-ref.js';

/** Everything `backend deploy` needs, validated before any remote call. */
export interface BackendDeployInputs {
  serviceName: string;
  image: ImageRef;
  containerName: string;
  containerPort: number;
  healthCheckPath: string;
  /** HTTP codes Lightsail's health check counts as healthy (the new deployment's, never the running one's). */
  healthCheckSuccessCodes: string;
  /** Region of the container service; undefined uses AWS_REGION. */
  region?: string;
  /** Replaces the container's environment when given; undefined keeps the current one. */
  environment?: Map<string, string>;
  timeoutMinutes: number;
  /** The frontend bucket holding the deploy lock a rollback writes; empty: no lock check. */
  lockBucket: string;
}

const MAX_TIMEOUT_MINUTES = 120;
// Lightsail: lowercase letters, digits and hyphens, no leading/trailing hyphen; services up to 63, containers 53.
const NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}$/;
// Lightsail: codes from 200 to 499, as a list (200,202) or ranges (200-299).
const CODE = '(?:[2-4][0-9]{2})';
const SUCCESS_CODES = new RegExp(`^${CODE}(?:-${CODE})?(?:,${CODE}(?:-${CODE})?)*$`);

/**
 * The region of the container service. Explicit, because a job that also logs in to ECR Public (us-east-1 only)
 * has AWS_REGION overwritten by configure-aws-credentials for every later step. Empty: AWS_REGION.
 */
export function getRegion(src: InputSource): string | undefined {
  const v = getString(src, 'region');
  if (!v) return undefined;
  if (!REGION.test(v)) throw new InputError('region', `expected an AWS region name such as ap-northeast-1, got '${v}'`);
  return v;
}

function getSuccessCodes(src: InputSource): string {
  const v = getString(src, 'health-check-success-codes', {
    default: BACKEND_DEFAULTS['health-check-success-codes'],
  }).replace(/\s+/g, '');
  const inRange = v.split(/[,-]/).every((c) => Number(c) >= 200 && Number(c) <= 499);
  if (!SUCCESS_CODES.test(v) || !inRange) {
    throw new InputError(
      'health-check-success-codes',
      `expected HTTP codes from 200 to 499 as a list or ranges such as 200-299 or 200,202, got '${v}'`,
    );
  }
  return v;
}

/** The container service a command works on: `service-name` and `region`. */
export interface BackendServiceInputs {
  serviceName: string;
  /** Region of the container service; undefined uses AWS_REGION. */
  region?: string;
}

/** `backend status` and `backend releases`: the service and its region. */
export function parseBackendServiceInputs(src: InputSource): BackendServiceInputs {
  const serviceName = getServiceName(src);
  const region = getRegion(src);
  return region ? { serviceName, region } : { serviceName };
}

export function getServiceName(src: InputSource): string {
  return getName(src, 'service-name', 63, { required: true });
}

export function getContainerName(src: InputSource): string {
  return getName(src, 'container-name', 53, { default: BACKEND_DEFAULTS['container-name'] });
}

function getName(src: InputSource, input: string, max: number, opts: { required?: boolean; default?: string }): string {
  const v = getString(src, input, opts);
  if (!NAME.test(v) || v.length > max) {
    throw new InputError(
      input,
      `expected lowercase letters, digits and hyphens (at most ${max}, not starting or ending with a hyphen), got '${v}'`,
    );
  }
  return v;
}

/**
 * Registers every environment value as a secret, before anything else can print it. Lines that are not
 * KEY=VALUE are left to the parser to reject (without quoting them).
 */
export function registerEnvironmentSecrets(src: InputSource, reporter: Reporter): void {
  for (const line of (src('environment') ?? '').split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) reporter.secret(line.slice(eq + 1).trim());
  }
}

/** Parses and validates all inputs of `deploy`; warns about a mutable image tag. Throws InputError (exit 2). */
export function parseBackendDeployInputs(src: InputSource, reporter: Reporter): BackendDeployInputs {
  registerEnvironmentSecrets(src, reporter);
  const serviceName = getServiceName(src);
  const imageText = getString(src, 'image', { required: true });
  const image = parseImageRef(imageText);
  if ('error' in image) throw new InputError('image', image.error);
  const containerName = getContainerName(src);
  const containerPort = getInt(src, 'container-port', {
    default: BACKEND_DEFAULTS['container-port'],
    min: 1,
    max: 65535,
  });
  const healthCheckPath = getString(src, 'health-check-path', { default: BACKEND_DEFAULTS['health-check-path'] });
  if (!healthCheckPath.startsWith('/') || /[\s?#]/.test(healthCheckPath)) {
    throw new InputError(
      'health-check-path',
      `expected a path starting with '/' (no spaces, query or fragment), got '${healthCheckPath}'`,
    );
  }
  const healthCheckSuccessCodes = getSuccessCodes(src);
  const region = getRegion(src);
  const env = getEnvironment(src);
  const timeoutMinutes = getMinutes(src, 'timeout-minutes', {
    default: BACKEND_DEFAULTS['timeout-minutes'],
    max: MAX_TIMEOUT_MINUTES,
  });
  const warning = mutableImageWarning(image);
  if (warning) reporter.warn(warning);
  const lockBucket = getLockBucket(src, 'lock-bucket');
  const out: BackendDeployInputs = {
    serviceName,
    image,
    containerName,
    containerPort,
    healthCheckPath,
    healthCheckSuccessCodes,
    timeoutMinutes,
    lockBucket,
  };
  if (region) out.region = region;
  if (env.size > 0) out.environment = env;
  return out;
}

/**
 * The container environment. An empty value is refused: in a workflow, `KEY=${{ secrets.X }}` with a secret that
 * is missing (not set, or not visible to the job's environment) becomes `KEY=`, and the API would go live without
 * its database URL or signing key. The error names the key, never a value.
 */
function getEnvironment(src: InputSource): Map<string, string> {
  const env = getMap(src, 'environment');
  const empty = [...env].filter(([, v]) => v === '').map(([k]) => k);
  if (empty.length) {
    throw new InputError(
      'environment',
      `${empty.join(', ')} ${empty.length > 1 ? 'have' : 'has'} an empty value (a secret that is not set or not visible to this job's environment?); nothing was deployed`,
    );
  }
  return env;
}
