import * as core from '@actions/core';
import { BaseReporter, type OutputValue } from './reporter.js';

/** The GitHub Actions face: workflow commands, masked secrets, outputs and the step summary. */
export class ActionsReporter extends BaseReporter {
  private lastStep = new Map<string, number>();

  info(message: string): void {
    core.info(this.redact(message));
  }
  warn(message: string): void {
    core.warning(this.redact(message));
  }
  error(message: string): void {
    core.error(this.redact(message));
  }
  debug(message: string): void {
    core.debug(this.redact(message));
  }

  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return core.group(this.redact(title), fn);
  }

  progress(label: string, done: number, total: number): void {
    const step = total > 0 ? Math.floor((done / total) * 4) : 4;
    if (this.lastStep.get(label) === step && done < total) return;
    this.lastStep.set(label, step);
    core.info(`${label}: ${done}/${total}`);
  }

  override secret(value: string | undefined): void {
    const known = new Set(this.redactor.list());
    super.secret(value);
    // Register with the runner only what is new (the value and its encoded forms), so the log masks it too.
    for (const s of this.redactor.list()) if (!known.has(s)) core.setSecret(s);
  }

  override output(name: string, value: OutputValue): void {
    super.output(name, value);
    core.setOutput(name, this.outputs.get(name) ?? '');
  }

  async flush(): Promise<void> {
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    const s = core.summary;
    // core.summary writes its text into HTML as it is: every text is escaped (file names come from the build).
    const text = (t: string) => escapeHtml(this.redact(t));
    for (const sec of this.sections) {
      s.addHeading(text(sec.title), 3);
      if (sec.lines?.length) s.addList(sec.lines.map(text));
      if (sec.table) s.addTable(toSummaryTable(sec.table.map((r) => r.map(text))));
    }
    if (this.outputs.size) {
      s.addHeading('Outputs', 3);
      s.addTable(toSummaryTable(this.outputsTable().map((r) => r.map(escapeHtml))));
    }
    await s.write();
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(t: string): string {
  return t.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function toSummaryTable(rows: string[][]): Parameters<typeof core.summary.addTable>[0] {
  const [head, ...body] = rows;
  return [(head ?? []).map((h) => ({ data: h, header: true })), ...body];
}
