import { describe, expect, it } from '@jest/globals';
import { command, failedWith, recording, type Outputs } from './command.js';
import { OpsError } from './errors.js';
import { inputsFrom } from './inputs.js';
import { TerminalReporter } from './reporter-terminal.js';

const quiet = () => new TerminalReporter({ write: () => true }, { write: () => true });

interface Result {
  id: string;
  count: number;
  paths?: string[];
}

const OUTPUTS: Outputs<Result> = {
  id: (r) => r.id,
  count: (r) => r.count,
  paths: (r) => r.paths?.join(' '),
};

/** A command whose work is `run`, reading the input `name`. */
const example = (run: (name: string) => Promise<Result>) =>
  command({
    parse: (src) => src('name') ?? '',
    clients: () => ({}),
    run: (name) => run(name),
    outputs: OUTPUTS,
    report: (r, name, reporter) => reporter.summary({ title: `${name}: ${r.count}` }),
  });

describe('command: outputs and summary from the result', () => {
  it('names its outputs, sets those the result has, and writes the summary', async () => {
    const entry = example(async (name) => ({ id: `${name}-1`, count: 3 }));
    expect(entry.outputs).toEqual(['id', 'count', 'paths']);
    const reporter = quiet();
    expect(await entry(inputsFrom({ name: 'site' }), reporter)).toEqual({ id: 'site-1', count: 3 });
    expect([...reporter.outputs]).toEqual([
      ['id', 'site-1'],
      ['count', '3'],
    ]);
    expect(reporter.sections.map((s) => s.title)).toEqual(['site: 3']);
  });

  it('a failed command sets the outputs it knew (failedWith, recording), and no summary', async () => {
    const entry = example(async () => {
      const known: Partial<Result> = { id: 'a' };
      return recording(known, async () => {
        known.count = 2;
        throw failedWith(new OpsError('half done'), { paths: ['/x', '/y'] });
      });
    });
    const reporter = quiet();
    await expect(entry(inputsFrom({ name: 'site' }), reporter)).rejects.toThrow('half done');
    expect(Object.fromEntries(reporter.outputs)).toEqual({ id: 'a', count: '2', paths: '/x /y' });
    expect(reporter.sections).toEqual([]);
  });

  it('a command that fails knowing nothing sets no output', async () => {
    const reporter = quiet();
    await expect(
      example(async () => {
        throw new OpsError('refused');
      })(inputsFrom({}), reporter),
    ).rejects.toThrow('refused');
    expect(reporter.outputs.size).toBe(0);
  });
});
