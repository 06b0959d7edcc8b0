/**
 * Tasks started at once where the first failure stops the others: `signal` (pass it to each stoppable task) aborts
 * at the first rejection of a watched task, or when `outer` aborts.
 */
export class SideBySide {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly watched: Promise<unknown>[] = [];
  /** Per watched task, in watch order: its own failure (not one that came from being stopped). */
  private readonly failures: ({ err: unknown } | undefined)[] = [];

  constructor(outer?: AbortSignal) {
    this.signal = outer ? AbortSignal.any([outer, this.controller.signal]) : this.controller.signal;
  }

  /**
   * The same promise; its rejection stops the others. A failure counts as the task's own unless the task says it was
   * stopped (an error with `cancelled: true`, as runTool's ToolFailed has when its signal stopped it): which check
   * failed is then decided by what each one saw, not by which stop landed first. A task given `stoppable: false`
   * (one that does not take `signal`) always runs to its end.
   */
  watch<T>(task: Promise<T>, opts: { stoppable?: boolean } = {}): Promise<T> {
    const at = this.failures.push(undefined) - 1;
    const w = task.catch((err: unknown) => {
      if (opts.stoppable === false || !isCancelled(err)) this.failures[at] = { err };
      this.controller.abort(err);
      throw err;
    });
    w.catch(() => undefined);
    this.watched.push(w);
    return w;
  }

  /**
   * Waits until every watched task has ended (their processes stopped), then throws the failure of the first task
   * (in watch order) that failed on its own, else `err`.
   */
  async fail(err: unknown): Promise<never> {
    await Promise.allSettled(this.watched);
    const own = this.failures.find((f) => f !== undefined);
    throw own ? own.err : err;
  }
}

/** An error that says its task was stopped rather than failed (`cancelled: true`). */
function isCancelled(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { cancelled?: unknown }).cancelled === true;
}
