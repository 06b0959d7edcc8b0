import { CancelledError } from './errors.js';

/**
 * While `fn` runs, SIGINT and SIGTERM (what a terminal's Ctrl-C and a cancelled GitHub run send) abort the signal
 * handed to it instead of killing the process, so the work can clean up (stop children, abort uploads) and fail
 * with a CancelledError (exit 130/143). A second signal exits at once.
 */
export async function cancellable<T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  const handler = (sig: 'SIGINT' | 'SIGTERM') => {
    if (ctl.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
    ctl.abort(new CancelledError(sig, what));
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await fn(ctl.signal);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
