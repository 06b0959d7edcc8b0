import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { OpsError } from './errors.js';

/** How a process ended: its exit code, the signal that killed it, or why it could not start. */
export interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/** `exited with code 1`, `was killed by SIGTERM`, `could not start (spawn psql ENOENT)`. */
export function explainExit(exit: ToolExit): string {
  if (exit.error) return `could not start (${exit.error.message})`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/**
 * The line of a tool's stderr that says what went wrong: the last one reporting an error (`ERROR:`, `FATAL:`,
 * `pg_dump: error: ...`), else the first line. Empty when there is no stderr.
 */
export function mainLine(lines: string[]): string {
  return errorLine(lines) || (lines[0] ?? '').trim();
}

/** The last line of a tool's stderr that reports an error (`ERROR:`, `FATAL:`, `pg_dump: error: ...`), or ''. */
export function errorLine(lines: string[]): string {
  return (lines.filter((l) => /\b(error|fatal|panic)\b/i.test(l)).pop() ?? '').trim();
}

/** A tool failed: its name, how it ended, and the end of its stderr (already redacted). */
export class ToolFailed extends OpsError {
  override name = 'ToolFailed';
  /** The stderr line that says what went wrong (see mainLine), or how it ended when it printed nothing. */
  readonly detail: string;
  constructor(
    readonly tool: string,
    /** How it ended: explainExit(), or why we stopped it (`did not finish within 60s`). */
    readonly why: string,
    readonly exit: ToolExit,
    /** Non-empty lines of the end of its stderr, redacted. */
    readonly stderrLines: string[],
    /** It was stopped because its run's signal aborted (another check failed, the run was cancelled): not its fault. */
    readonly cancelled = false,
  ) {
    const line = mainLine(stderrLines);
    super(`${tool} ${why}${line ? `: ${line}` : ''}`);
    this.detail = line || why;
  }
}

export interface ToolOptions {
  /** The name in messages (default: the command's file name, e.g. `psql`). */
  name?: string;
  env?: NodeJS.ProcessEnv;
  /** Give the process a stdin / stdout pipe (default: stdin ignored, stdout piped). */
  stdin?: 'pipe' | 'ignore';
  stdout?: 'pipe' | 'ignore';
  /** Masks secrets in its stderr (a Reporter's or Redactor's redact); applied whenever the stderr is read. */
  redact?: (text: string) => string;
  /** How much of the end of its stderr to keep (bytes, default 64 KiB). */
  stderrKeep?: number;
}

const STDERR_KEEP = 64 * 1024;

/**
 * One running tool (pg_dump, psql): its pipes, the end of its stderr, one stop, and an explanation of its exit.
 * `exited` settles once the process has ended and its pipes are closed (never rejects: a failure to start is an
 * exit too).
 */
export class Tool {
  readonly name: string;
  readonly exited: Promise<ToolExit>;
  private readonly child: ChildProcess;
  private stderrTail = '';
  private truncated = false;
  private stopSignal: NodeJS.Signals | undefined;
  private ended = false;
  private endedBySignal = false;

  constructor(
    command: string,
    args: string[],
    private readonly opts: ToolOptions = {},
  ) {
    this.name = opts.name ?? path.basename(command);
    this.child = spawn(command, args, {
      env: opts.env ?? process.env,
      stdio: [opts.stdin ?? 'ignore', opts.stdout ?? 'pipe', 'pipe'],
    });
    const keep = opts.stderrKeep ?? STDERR_KEEP;
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (d: string) => {
      this.stderrTail += d;
      if (this.stderrTail.length > keep) {
        this.stderrTail = this.stderrTail.slice(-keep);
        this.truncated = true;
      }
    });
    // EPIPE when the tool stops reading early: its exit code and stderr say why.
    this.child.stdin?.on('error', () => undefined);
    this.exited = new Promise<ToolExit>((resolve) => {
      this.child.once('error', (error) => resolve({ code: null, signal: null, error }));
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    }).then((exit) => {
      this.ended = true;
      this.endedBySignal = exit.signal !== null;
      return exit;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdin(): Writable {
    if (!this.child.stdin) throw new Error(`${this.name} was started without a stdin pipe`);
    return this.child.stdin;
  }

  get stdout(): Readable {
    if (!this.child.stdout) throw new Error(`${this.name} was started without a stdout pipe`);
    return this.child.stdout;
  }

  /** Still running (started, not yet exited). */
  get running(): boolean {
    return (
      !this.ended && this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /**
   * True once stop() sent it a signal (its exit is then our doing, not its failure), unless it turned out to have
   * exited on its own first (an exit code, not a signal: `psql` stopping at an error just as we stopped it).
   */
  get stopped(): boolean {
    return this.stopSignal !== undefined && (!this.ended || this.endedBySignal);
  }

  /** Sends `signal` once, and only while it runs; later calls do nothing. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.stopSignal || !this.running) return;
    this.stopSignal = signal;
    this.child.kill(signal);
  }

  /** The end of its stderr so far, redacted; whole lines only (a line cut by the limit is dropped). */
  stderr(): string {
    let text = this.stderrTail;
    if (this.truncated) text = text.slice(text.indexOf('\n') + 1);
    return this.opts.redact ? this.opts.redact(text) : text;
  }

  /** The non-empty lines of stderr(), trimmed at the end. */
  stderrLines(): string[] {
    return this.stderr()
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l.trim());
  }

  /** The error for how it ended: `psql exited with code 2: FATAL: ...`. */
  failure(exit: ToolExit, why = explainExit(exit), cancelled = false): ToolFailed {
    return new ToolFailed(this.name, why, exit, this.stderrLines(), cancelled);
  }
}

/** Starts a tool (see Tool). */
export function startTool(command: string, args: string[], opts: ToolOptions = {}): Tool {
  return new Tool(command, args, opts);
}

export interface RunToolOptions extends Omit<ToolOptions, 'stdin' | 'stdout'> {
  /** Written to its stdin, which is then closed (default: no stdin). */
  input?: string;
  /** Stop it (SIGTERM) and fail after this long. */
  timeoutMs?: number;
  /** Stop it and fail when it writes more than this to stdout (default 64 MiB). */
  maxBuffer?: number;
  /** Stop it (SIGTERM) and fail when this aborts (another check failed, the run was cancelled). */
  signal?: AbortSignal;
}

/**
 * Runs a tool to its end and returns its stdout (UTF-8). Anything but exit 0 throws a ToolFailed:
 * `psql exited with code 2: psql: error: connection to server ... failed`, `psql did not finish within 60s`.
 */
export async function runTool(command: string, args: string[], opts: RunToolOptions = {}): Promise<string> {
  const tool = startTool(command, args, { ...opts, stdin: opts.input === undefined ? 'ignore' : 'pipe' });
  const max = opts.maxBuffer ?? 64 * 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  let why: string | undefined;
  tool.stdout.on('data', (d: Buffer) => {
    size += d.length;
    if (size <= max) chunks.push(d);
    else if (!why) {
      why = `wrote more than ${max} bytes to stdout`;
      tool.stop();
    }
  });
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          why ??= `did not finish within ${opts.timeoutMs! / 1000}s`;
          tool.stop();
        }, opts.timeoutMs);
  const CANCELLED = 'was stopped (cancelled)';
  const onAbort = () => {
    why ??= CANCELLED;
    tool.stop();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.input !== undefined) tool.stdin.end(opts.input);
  const exit = await tool.exited;
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  // Aborted just as it ended on its own (an exit code, not our signal): its own result counts.
  if (why === CANCELLED && !tool.stopped) why = undefined;
  if (exit.code === 0 && !why) return Buffer.concat(chunks).toString('utf8');
  throw tool.failure(exit, why, why === CANCELLED);
}
