/** S3 plumbing shared by the frontend and the backups: bucket names, listing every page, deleting in batches. */
import {
  DeleteObjectsCommand,
  paginateListObjectsV2,
  type _Object,
  type S3Client,
  type S3PaginationConfiguration,
} from '@aws-sdk/client-s3';
import { InputError, OpsError, describeError } from './errors.js';
import { shown } from './inputs.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The value of the input `input` if it is an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens, starting
 * and ending with a letter or digit); an InputError naming the input otherwise. `role` says which bucket is meant.
 */
export function checkBucketName(input: string, value: string, role?: string): string {
  if (!BUCKET_NAME.test(value))
    throw new InputError(
      input,
      `'${shown(value, 100)}' is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)${role ? `: ${role}` : ''}`,
    );
  return value;
}

/**
 * Every object under the prefix (the whole bucket for ''), through the SDK's paginator: ListObjectsV2 returns at most
 * `pageSize` (S3: 1,000 at most, the default) a call. With `delimiter`, objects below the next delimiter are left out
 * (they are CommonPrefixes). `onDate` gets the Date of each answer (S3's clock).
 */
export async function* listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  opts: { delimiter?: string; pageSize?: number; onDate?: (ms: number) => void } = {},
): AsyncGenerator<_Object> {
  const onDate = opts.onDate;
  const pages = paginateListObjectsV2(
    {
      client: s3,
      pageSize: opts.pageSize,
      ...(onDate ? { withCommand: (c: AnyCommand) => onS3Date(c, onDate) } : {}),
    },
    { Bucket: bucket, Prefix: prefix || undefined, Delimiter: opts.delimiter },
  );
  for await (const page of pages) yield* page.Contents ?? [];
}

/** S3's limit on the keys of one DeleteObjects request. */
export const DELETE_BATCH = 1000;

/**
 * Deletes the keys with DeleteObjects, 1,000 a request, in order. A key S3 refuses (an entry of the answer's Errors,
 * other than NoSuchKey: it is gone either way) stops it after that batch with an OpsError naming the first one; a
 * failed request with an OpsError naming the bucket. `onDeleted` gets the number deleted by each batch. With `stopAt`
 * (a time, ms), starts no batch after it and returns false; true once every key is deleted.
 */
export async function deleteObjects(
  s3: S3Client,
  bucket: string,
  keys: string[],
  opts: { onDeleted?: (n: number) => void; stopAt?: number } = {},
): Promise<boolean> {
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    if (Date.now() > (opts.stopAt ?? Infinity)) return false;
    const batch = keys.slice(i, i + DELETE_BATCH);
    let errors;
    try {
      const res = await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      errors = res.Errors ?? [];
    } catch (err) {
      throw new OpsError(`DeleteObjects s3://${bucket}: ${describeError(err)}`, { cause: err });
    }
    const refused = errors.filter((e) => e.Code !== 'NoSuchKey');
    opts.onDeleted?.(batch.length - refused.length);
    const first = refused[0];
    if (first)
      throw new OpsError(
        `DeleteObjects s3://${bucket} refused ${refused.length} key(s), first ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
      );
  }
  return true;
}

/** Any SDK command (as the paginators hand them to `withCommand`). */
type AnyCommand = Parameters<NonNullable<S3PaginationConfiguration['withCommand']>>[0];

/**
 * Calls `onDate` with the Date header of S3's answer to `command` (S3's clock, whole seconds) as the answer arrives;
 * returns the command.
 */
export function onS3Date<C extends AnyCommand>(command: C, onDate: (ms: number) => void): C {
  command.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const header = (out.response as { headers?: Record<string, string> }).headers?.date;
      if (header && Number.isFinite(Date.parse(header))) onDate(Date.parse(header));
      return out;
    },
    { step: 'deserialize', name: 'shishaS3Date' },
  );
  return command;
}
