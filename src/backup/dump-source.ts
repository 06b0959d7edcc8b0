import { Readable } from 'node:stream';
import { explainExit, startTool, type Tool } from '../core/process.js';

/**
 * One part of a dump: SQL text of our own (computed when its turn comes, e.g. from a catalog query), or a process
 * whose stdout is SQL (pg_dump, pg_dumpall).
 */
export type DumpProducer =
  | { kind: 'sql'; name: string; sql: () => string | Promise<string> }
  | {
      kind: 'process';
      name: string;
      command: string;
      args: string[];
      env: NodeJS.ProcessEnv;
      /** Rewrites each line of the output (null drops it): for small schema dumps only, never for data. */
      rewriteLine?: (line: string) => string | null;
    };

/** A producer failed: its name, why, and the last lines of its stderr. */
export class DumpFailed extends Error {
  override name = 'DumpFailed';
  constructor(
    readonly producer: string,
    readonly why: string,
    readonly stderr: string,
    /** The dump had been stopped (by stop()) before this failure: a consequence, not the cause. */
    readonly afterStop = false,
  ) {
    super(`${producer} ${why}`);
  }
}

export interface DumpSource {
  /**
   * The producers' output, concatenated in order. It ends only after every producer finished cleanly (every process
   * exited 0); a failed or killed producer makes it error instead, so a consumer never mistakes a truncated dump for
   * a whole one. Destroying it stops the running process.
   */
  readonly stream: Readable;
  /**
   * Resolves once every producer finished cleanly; rejects with the DumpFailed that errored the stream. Either way
   * it settles only after the last process has exited.
   */
  readonly done: Promise<void>;
  /** Stops the dump: the running process gets SIGTERM, later producers never start, the stream errors. */
  stop(): void;
  /** True once stop() was called (a failure after it is the consequence, not the cause). */
  readonly stopped: boolean;
  /** stderr of the processes that finished (warnings), per producer, redaction left to the caller. */
  readonly warnings: { producer: string; stderr: string }[];
}

export interface DumpSourceOptions {
  /** Called with each process's pid once it runs (tests, diagnostics). */
  onProcessStarted?: (pid: number, producer: string) => void;
}

/** Starts nothing until the stream is read: producers run one after another, each when the previous one ended. */
export function createDumpSource(producers: DumpProducer[], opts: DumpSourceOptions = {}): DumpSource {
  let current: Tool | undefined;
  /** Settles when the last started process has exited (and been reaped). */
  let lastExit: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const warnings: { producer: string; stderr: string }[] = [];
  const kill = () => current?.stop('SIGTERM');

  async function* run(): AsyncGenerator<Buffer> {
    for (const p of producers) {
      if (stopped) throw new DumpFailed(p.name, 'was not started (the dump was stopped)', '', true);
      if (p.kind === 'sql') {
        let text: string;
        try {
          text = await p.sql();
        } catch (err) {
          throw new DumpFailed(p.name, `failed: ${err instanceof Error ? err.message : String(err)}`, '');
        }
        if (text) yield Buffer.from(text, 'utf8');
        continue;
      }
      const tool = startTool(p.command, p.args, { name: p.name, env: p.env });
      current = tool;
      lastExit = tool.exited;
      if (tool.pid !== undefined) opts.onProcessStarted?.(tool.pid, p.name);
      let readToEnd = false;
      try {
        if (p.rewriteLine) yield* rewriteLines(tool.stdout, p.rewriteLine);
        else for await (const chunk of tool.stdout) yield chunk as Buffer;
        readToEnd = true;
      } finally {
        // The consumer gave up (the stream was destroyed): never leave the process running. After the end of its
        // output it is exiting on its own: a signal now could only turn a clean exit into a killed one.
        if (!readToEnd) kill();
      }
      const exit = await tool.exited;
      current = undefined;
      const stderr = tool.stderr();
      if (exit.code !== 0) throw new DumpFailed(p.name, explainExit(exit), stderr, stopped);
      if (stderr.trim()) warnings.push({ producer: p.name, stderr });
    }
  }

  const stream = Readable.from(run(), { objectMode: false });
  const ended = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
    stream.once('close', () => {
      if (stream.readableEnded) return;
      kill(); // the consumer gave up: the running process must not wait on a full pipe
      reject(new Error('the dump stream was closed before its end'));
    });
  });
  // Settles only once no process of ours is left running, whichever way the stream ended.
  const done = ended.then(
    () => lastExit.then(() => undefined),
    (err: unknown) => lastExit.then(() => Promise.reject(err)),
  );
  done.catch(() => undefined); // observed by the consumer; never an unhandled rejection
  return {
    stream,
    done,
    stop() {
      stopped = true;
      kill();
    },
    get stopped() {
      return stopped;
    },
    warnings,
  };
}

/** The stream's lines through `rewrite` (UTF-8, '\n'-separated; a line split across chunks is joined first). */
async function* rewriteLines(input: Readable, rewrite: (line: string) => string | null): AsyncGenerator<Buffer> {
  let rest = '';
  const out = (lines: string[]) => {
    const kept = lines.map(rewrite).filter((l): l is string => l !== null);
    return kept.length ? Buffer.from(kept.map((l) => l + '\n').join(''), 'utf8') : undefined;
  };
  input.setEncoding('utf8');
  for await (const chunk of input) {
    const lines = (rest + (chunk as string)).split('\n');
    rest = lines.pop() ?? '';
    const b = out(lines);
    if (b) yield b;
  }
  if (rest) {
    const b = out([rest]);
    if (b) yield b.subarray(0, b.length - 1);
  }
}
