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

  /**
   * The step summary, read at a glance: first the result (✅ what and where) or the failure (❌ what failed, then the
   * one-line error saying what was and was not changed and what keeps serving), then each section, then the outputs
   * folded away (they are for later steps, and the sections already show the numbers).
   */
  async flush(): Promise<void> {
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    const s = core.summary;
    const head = this.headlineText();
    if (head) s.addHeading(escapeHtml(head), 3);
    if (this.headline?.detail) s.addRaw(`<p>${escapeHtml(this.headline.detail)}</p>`, true);
    for (const sec of this.sections) {
      s.addHeading(escapeHtml(this.redact(sec.title)), 4);
      if (sec.lines?.length) s.addList(sec.lines.map((l) => escapeHtml(this.redact(l))));
      if (sec.table) s.addTable(toSummaryTable(sec.table.map((r) => r.map((c) => escapeHtml(this.redact(c))))));
    }
    if (this.outputs.size) {
      const items = [...this.outputs].map(
        ([k, v]) => `<li><code>${escapeHtml(k)}</code>: ${v ? `<code>${escapeHtml(v)}</code>` : '(empty)'}</li>`,
      );
      s.addDetails('Outputs', `<ul>${items.join('')}</ul>`);
    }
    await s.write();
  }
}

/** The summary is HTML that core.summary writes as given: a file name or an error with `<` or `&` must show as written. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function toSummaryTable(rows: string[][]): Parameters<typeof core.summary.addTable>[0] {
  const [head, ...body] = rows;
  return [(head ?? []).map((h) => ({ data: h, header: true })), ...body];
}
