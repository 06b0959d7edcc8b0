import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { explainExit, mainLine, runTool, startTool, ToolFailed } from './process.js';
import { Redactor } from './secrets.js';

const sh = (script: string) => ['-c', script];
const gone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe('runTool', () => {
  it("returns a successful tool's stdout", async () => {
    expect(await runTool('sh', sh('echo one; echo two'))).toBe('one\ntwo\n');
  });

  it('feeds `input` to its stdin', async () => {
    expect(await runTool('sh', sh('tr a-z A-Z'), { input: 'select 1;\n' })).toBe('SELECT 1;\n');
  });

  it('explains a failure by its exit code and the stderr line that names the error, secrets masked', async () => {
    const r = new Redactor();
    r.add('hunter2-secret');
    const err = await runTool(
      'sh',
      sh(
        'echo "psql: notice: first" >&2; echo "psql: error: password hunter2-secret rejected for postgresql://u:pw@h/db" >&2; echo "hint: check it" >&2; exit 2',
      ),
      { name: 'psql', redact: (t) => r.redact(t) },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolFailed);
    const f = err as ToolFailed;
    expect(f.message).toBe('psql exited with code 2: psql: error: password *** rejected for postgresql://u:***@h/db');
    expect(f.exit.code).toBe(2);
    expect(f.stderrLines).toEqual([
      'psql: notice: first',
      'psql: error: password *** rejected for postgresql://u:***@h/db',
      'hint: check it',
    ]);
    expect(f.detail).toBe('psql: error: password *** rejected for postgresql://u:***@h/db');
  });

  it('names a tool that printed nothing by how it ended', async () => {
    const err = (await runTool('sh', sh('exit 7')).catch((e: unknown) => e)) as ToolFailed;
    expect(err.message).toBe('sh exited with code 7');
    expect(err.detail).toBe('exited with code 7');
  });

  it('says when the tool is not installed', async () => {
    const err = (await runTool('/nonexistent/pg_dump', ['--version']).catch((e: unknown) => e)) as ToolFailed;
    expect(err).toBeInstanceOf(ToolFailed);
    expect(err.message).toMatch(/^pg_dump could not start \(spawn \/nonexistent\/pg_dump ENOENT\)$/);
  });

  it('stops a tool that runs past its timeout and says so', async () => {
    const err = (await runTool('sh', sh('echo $$ >&2; exec sleep 30'), { timeoutMs: 300 }).catch(
      (e: unknown) => e,
    )) as ToolFailed;
    expect(err.message).toMatch(/^sh did not finish within 0.3s: \d+$/);
    expect(err.exit.signal).toBe('SIGTERM');
    expect(gone(Number(err.stderrLines[0]))).toBe(true);
  });

  it('stops a tool when its signal aborts (already aborted: stopped at once)', async () => {
    const ctl = new AbortController();
    const running = runTool('sh', sh('exec sleep 30'), { signal: ctl.signal }).catch((e: unknown) => e);
    ctl.abort();
    const err = (await running) as ToolFailed;
    expect(err.message).toBe('sh was stopped (cancelled)');
    expect(err.cancelled).toBe(true);
    expect(err.exit.signal).toBe('SIGTERM');
    const late = await runTool('sh', sh('exec sleep 30'), { signal: ctl.signal }).catch((e: unknown) => e);
    expect((late as ToolFailed).exit.signal).toBe('SIGTERM');
  });

  it('stops a tool that writes more than maxBuffer', async () => {
    const err = (await runTool('yes', [], { maxBuffer: 1000 }).catch((e: unknown) => e)) as ToolFailed;
    expect(err.message).toBe('yes wrote more than 1000 bytes to stdout');
  });
});

describe('startTool', () => {
  it('keeps only the end of a long stderr, in whole lines', async () => {
    const tool = startTool('sh', sh('i=0; while [ $i -lt 2000 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 1'), {
      stderrKeep: 1000,
    });
    const exit = await tool.exited;
    const lines = tool.stderrLines();
    expect(lines[lines.length - 1]).toBe('line 1999');
    expect(lines.every((l) => /^line \d+$/.test(l))).toBe(true);
    expect(lines.length).toBeLessThan(120);
    expect(tool.failure(exit).message).toBe(`sh exited with code 1: ${lines[0]}`);
  });

  it('stop() sends one signal, only while it runs, and the exit says so', async () => {
    const tool = startTool('sh', sh('echo ready; exec sleep 30'));
    const first = await new Promise<string>((resolve) => tool.stdout.once('data', (d: Buffer) => resolve(String(d))));
    expect(first).toBe('ready\n');
    expect(tool.running).toBe(true);
    tool.stop();
    tool.stop('SIGKILL'); // ignored: stopped once already
    const exit = await tool.exited;
    expect(exit.signal).toBe('SIGTERM');
    expect(tool.stopped).toBe(true);
    expect(tool.running).toBe(false);
    expect(tool.failure(exit).message).toBe('sh was killed by SIGTERM');
    expect(gone(tool.pid!)).toBe(true);
  });

  it('stop() after the tool exited does nothing', async () => {
    const tool = startTool('sh', sh('exit 0'));
    expect(await tool.exited).toEqual({ code: 0, signal: null });
    tool.stop();
    expect(tool.stopped).toBe(false);
  });

  it('a tool that exited on its own before our stop() took effect is not counted as stopped', async () => {
    const tool = startTool('sh', sh('echo "ERROR:  division by zero" >&2; exit 3'), { name: 'psql' });
    // Hold the event loop until the process has exited (a zombie): Node has not seen its exit yet when stop() runs.
    const state = () => readFileSync(`/proc/${tool.pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    while (state() !== 'Z') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(tool.running).toBe(true);
    tool.stop('SIGKILL');
    const exit = await tool.exited;
    expect(exit).toEqual({ code: 3, signal: null });
    expect(tool.stopped).toBe(false);
    expect(tool.failure(exit).message).toBe('psql exited with code 3: ERROR:  division by zero');
  });

  it('pipes stdin through, and a tool that stops reading early does not break the writer', async () => {
    const tool = startTool('sh', sh('head -c 3; exit 4'), { stdin: 'pipe' });
    const out = text(tool.stdout);
    tool.stdin.write('abcdef');
    const exit = await tool.exited;
    tool.stdin.write('more after the end'); // EPIPE is swallowed: the exit explains
    expect(await out).toBe('abc');
    expect(explainExit(exit)).toBe('exited with code 4');
  });
});

describe('mainLine', () => {
  it('prefers the last error line, else the first', () => {
    expect(mainLine(['WARNING: x', 'ERROR: a', 'LINE 1: select', 'ERROR: b', 'DETAIL: c'])).toBe('ERROR: b');
    expect(mainLine(['pg_dump: error: no matching tables were found'])).toBe(
      'pg_dump: error: no matching tables were found',
    );
    expect(mainLine(['first', 'second'])).toBe('first');
    expect(mainLine([])).toBe('');
  });
});
