import type { Readable } from 'node:stream';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';

type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];
type HttpHandlerOptions = NonNullable<Parameters<NodeHttpHandler['handle']>[1]>;

/**
 * The slowest transfer a request may make and still finish: 16 KiB/s (128 kbit/s). Each request gets its base time
 * plus its bytes at this rate, so a large upload or download that moves is never cut, while a server that trickles
 * a byte every few seconds (which the silence timeout never catches) fails in bounded time.
 */
export const MIN_BYTES_PER_SECOND = 16 * 1024;

/** The error a request fails with when its deadline passes (a TimeoutError, so the SDK retries it like one). */
export class DeadlineError extends Error {
  override name = 'TimeoutError';
  constructor(where: string, seconds: number) {
    super(`no complete answer from ${where} within ${seconds} s (it sends too slowly)`);
  }
}

/** Bytes of a request body: its Content-Length, a buffer's size, 0 without a body; undefined for a stream of unknown length. */
function requestBytes(request: HttpRequest): number | undefined {
  const header = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'content-length')?.[1];
  if (header !== undefined && Number.isFinite(Number(header))) return Number(header);
  const body: unknown = request.body;
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

/**
 * The SDK's Node handler with a deadline on each request attempt, from sending to the last byte of the answer:
 * `baseMs` plus the request's and the answer's bytes at MIN_BYTES_PER_SECOND. The answer's size comes from its
 * Content-Length when the headers arrive. A request body of unknown length (a stream) has no deadline: the silence
 * timeout still applies. (The handler's own `requestTimeout` only warns, and stops at the headers.)
 */
export class DeadlineHttpHandler extends NodeHttpHandler {
  constructor(
    options: NodeHttpHandlerOptions,
    private readonly baseMs: number,
  ) {
    super(options);
  }

  override async handle(request: HttpRequest, options: HttpHandlerOptions = {}): ReturnType<NodeHttpHandler['handle']> {
    const sent = requestBytes(request);
    if (sent === undefined) return super.handle(request, options);
    const deadline = new AbortController();
    let body: Readable | undefined;
    let allowedMs = this.baseMs + (sent * 1000) / MIN_BYTES_PER_SECOND;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          const where = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
          const err = new DeadlineError(where, Math.round(allowedMs / 1000));
          deadline.abort(err);
          body?.destroy(err);
        },
        Math.max(0, started + allowedMs - Date.now()),
      );
      timer.unref(); // a request in flight keeps the process alive by its socket; the deadline alone must not
    };
    arm();
    const abortSignal = options.abortSignal
      ? AbortSignal.any([options.abortSignal as AbortSignal, deadline.signal])
      : deadline.signal;
    try {
      const out = await super.handle(request, { ...options, abortSignal });
      const stream = out.response.body as Readable | undefined;
      if (stream && typeof stream.once === 'function' && !stream.readableEnded) {
        body = stream;
        allowedMs += (Number(out.response.headers['content-length'] ?? 0) * 1000) / MIN_BYTES_PER_SECOND || 0;
        arm();
        stream.once('close', () => clearTimeout(timer));
        stream.once('end', () => clearTimeout(timer));
      } else {
        clearTimeout(timer);
      }
      return out;
    } catch (err) {
      clearTimeout(timer);
      throw deadline.signal.aborted ? deadline.signal.reason : err;
    }
  }
}
