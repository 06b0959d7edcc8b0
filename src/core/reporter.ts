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
  /** Writes what was collected (the Actions step summary); called once by run(). */
  flush(): Promise<void>;
}

/** Shared part of both faces: secrets, collected outputs and summary sections. */
export abstract class BaseReporter implements Reporter {
  protected readonly redactor = new Redactor();
  readonly outputs = new Map<string, string>();
  readonly sections: Summary[] = [];

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

  /** The outputs as a two-column table. */
  protected outputsTable(): string[][] {
    return [['Output', 'Value'], ...[...this.outputs].map(([k, v]) => [k, v])];
  }
}
