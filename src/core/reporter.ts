import { Redactor } from './secrets.js';

export type OutputValue = string | number | boolean;

/** A table for the step summary / terminal: the first row holds the headers. */
export interface Summary {
  title: string;
  /** Short lines shown under the title. */
  lines?: string[];
  table?: string[][];
}

/**
 * How the core talks to the person running it. Two faces: GitHub Actions (log commands, groups, annotations,
 * outputs, step summary) and a terminal (progress on long work, plain lines when not a TTY).
 */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible group (Actions) or under a heading (terminal). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Progress of long work; the terminal redraws one line on a TTY, prints every ~10% otherwise. */
  progress(label: string, done: number, total: number): void;
  /** Registers a value to mask everywhere from now on. */
  secret(value: string | undefined): void;
  /** Masks registered secrets and URL passwords in a text (for child-process stderr, remote logs). */
  redact(text: string): string;
  /** Sets an output; outputs are also listed in the summary. */
  output(name: string, value: OutputValue): void;
  /** Adds a section to the step summary (Actions) or prints it (terminal). */
  summary(section: Summary): void;
  /**
   * The job's result in one line, shown first (after ✅): what was done and where, e.g.
   * `Frontend deployed: release 2026…-1a2b3c4d is live at https://d111.cloudfront.net/`. Call it once, on success.
   */
  result(text: string): void;
  /** The job failed: the first line becomes ❌ with this one-line message (called by runJob). */
  failed(message: string): void;
  /** Writes what was collected (the Actions step summary); called once by run(). */
  flush(): Promise<void>;
}

/** Shared part of both faces: secrets, collected outputs and summary sections. */
export abstract class BaseReporter implements Reporter {
  protected readonly redactor = new Redactor();
  readonly outputs = new Map<string, string>();
  readonly sections: Summary[] = [];
  /** The first line of the summary: the result (✅) or the failure (❌), when known. */
  headline?: { ok: boolean; text: string; detail?: string };
  /** Says what failed in the ❌ line (e.g. `Frontend deploy`); set by runAction/runCli. */
  jobTitle = '';

  abstract info(message: string): void;
  abstract warn(message: string): void;
  abstract error(message: string): void;
  abstract debug(message: string): void;
  abstract group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  abstract progress(label: string, done: number, total: number): void;
  abstract flush(): Promise<void>;

  secret(value: string | undefined): void {
    this.redactor.add(value);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  output(name: string, value: OutputValue): void {
    this.outputs.set(name, this.redact(String(value)));
  }

  summary(section: Summary): void {
    this.sections.push(section);
  }

  result(text: string): void {
    this.headline = { ok: true, text: this.redact(text) };
  }

  failed(message: string): void {
    this.headline = { ok: false, text: `${this.jobTitle || 'Job'} failed`, detail: this.redact(message) };
  }

  /** The headline's first line with its mark, or '' when the job set none. */
  protected headlineText(): string {
    return this.headline ? `${this.headline.ok ? '✅' : '❌'} ${this.headline.text}` : '';
  }

  /** The outputs as a two-column table. */
  protected outputsTable(): string[][] {
    return [['Output', 'Value'], ...[...this.outputs].map(([k, v]) => [k, v])];
  }
}
