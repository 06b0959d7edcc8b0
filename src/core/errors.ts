/** Exit codes shared by the CLI and the actions' failure handling. */
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Bad input or usage: raised before anything is changed remotely. Exit code 2. */
export class InputError extends Error {
  override name = 'InputError';
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(
    readonly input: string,
    expected: string,
  ) {
    super(`Input '${input}': ${expected}`);
  }
}

/** A remote call, a child process or a check failed. Exit code 1. */
export class OpsError extends Error {
  override name = 'OpsError';
  readonly exitCode = EXIT_FAILED;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The run was cancelled by a signal (what GitHub sends when a run is cancelled): exit 128 + the signal number. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  readonly exitCode: number;
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    what = 'the run',
  ) {
    super(`cancelled by ${signal}: ${what} was stopped`);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

/** What to do about the SDK's two set-up errors, whose own messages do not say. */
export const REGION_HINT =
  'no AWS region: set AWS_REGION (e.g. AWS_REGION=ap-northeast-1) or a region in the AWS profile (~/.aws/config); ' +
  'in GitHub Actions, aws-actions/configure-aws-credentials sets it from its aws-region input';
export const CREDENTIALS_HINT =
  'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys), ' +
  'or AWS_PROFILE for a profile in ~/.aws (aws configure, aws sso login); in GitHub Actions, assume a role with OIDC: ' +
  'aws-actions/configure-aws-credentials with role-to-assume and the job permission id-token: write';

/** The hint for a missing region or credentials, also when our own error wraps the SDK's (as its cause). */
function setupHint(err: unknown, depth = 0): string | undefined {
  if (!(err instanceof Error) || depth > 4) return undefined;
  if (/\bRegion is missing\b/.test(err.message)) return REGION_HINT;
  if (/Could not load credentials from any providers/.test(err.message)) return CREDENTIALS_HINT;
  return setupHint(err.cause, depth + 1);
}

/**
 * One line describing any error, for logs: the first line of its message, with the AWS error code when there is one.
 * A missing region or missing credentials become a line that says how to provide them.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const hint = setupHint(err);
    if (hint) return hint;
    const code = (err as { Code?: string; name?: string }).Code;
    const first = (err.message || err.name).split('\n')[0] ?? err.name;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const tag = code && !first.includes(code) ? `${code}: ` : '';
    return `${tag}${first}${status && !(err instanceof OpsError) ? ` (HTTP ${status})` : ''}`;
  }
  return String(err).split('\n')[0] ?? '';
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof CancelledError) return err.exitCode;
  return err instanceof InputError ? EXIT_BAD_INPUT : EXIT_FAILED;
}
