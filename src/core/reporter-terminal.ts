import { writeFileSync } from 'node:fs';
import { BaseReporter, type Summary } from './reporter.js';

interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** The terminal face: plain lines on stdout/stderr, everything redacted, progress redrawn on a TTY. */
export class TerminalReporter extends BaseReporter {
  private lastPct = new Map<string, number>();
  private depth = 0;

  constructor(
    private readonly out: Stream = process.stdout,
    private readonly err: Stream = process.stderr,
    private readonly verbose = Boolean(process.env.SHISHA_OPS_DEBUG),
  ) {
    super();
  }

  private line(stream: Stream, text: string): void {
    const pad = '  '.repeat(this.depth);
    for (const l of this.redact(text).split('\n')) stream.write(`${pad}${l}\n`);
  }

  info(message: string): void {
    this.line(this.out, message);
  }
  warn(message: string): void {
    this.line(this.err, `warning: ${message}`);
  }
  error(message: string): void {
    this.line(this.err, `error: ${message}`);
  }
  debug(message: string): void {
    if (this.verbose) this.line(this.err, `debug: ${message}`);
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.line(this.out, `▸ ${title}`);
    this.depth++;
    try {
      return await fn();
    } finally {
      this.depth--;
    }
  }

  progress(label: string, done: number, total: number): void {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    if (this.out.isTTY) {
      this.out.write(`\r${'  '.repeat(this.depth)}${label}: ${done}/${total} (${pct}%)${done >= total ? '\n' : ''}`);
      return;
    }
    const step = Math.floor(pct / 10);
    if (this.lastPct.get(label) === step && done < total) return;
    this.lastPct.set(label, step);
    this.line(this.out, `${label}: ${done}/${total} (${pct}%)`);
  }

  override summary(section: Summary): void {
    super.summary(section);
    this.line(this.out, '');
    this.line(this.out, section.title);
    for (const l of section.lines ?? []) this.line(this.out, `  ${l}`);
    if (section.table) this.line(this.out, formatTable(section.table));
  }

  /**
   * Prints the outputs as a table, then the result line. With SHISHA_OPS_OUTPUTS_FILE set, also writes them there as JSON (what
   * GITHUB_OUTPUT is to an action: how scripts such as the demo read a command's outputs).
   */
  async flush(): Promise<void> {
    const file = process.env.SHISHA_OPS_OUTPUTS_FILE;
    if (file) writeFileSync(file, JSON.stringify(Object.fromEntries(this.outputs), null, 2) + '\n');
    if (this.outputs.size) {
      this.line(this.out, '');
      this.line(this.out, formatTable(this.outputsTable()));
    }
    // The result last, where the eye lands when the command returns (a failure was already printed as `error:`).
    if (this.headline?.ok) {
      this.line(this.out, '');
      this.line(this.out, this.headlineText());
    }
  }
}

/** A plain-text table with aligned columns. */
export function formatTable(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const fmt = (r: string[]) =>
    '  ' +
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  if (!head) return '';
  return [fmt(head), fmt(head.map((_, i) => '-'.repeat(widths[i] ?? 0))), ...body.map(fmt)].join('\n');
}
