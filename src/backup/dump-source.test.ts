import { describe, expect, it } from '@jest/globals';
import { text } from 'node:stream/consumers';
import { createDumpSource, DumpFailed, type DumpProducer } from './dump-source.js';

const sh = (name: string, script: string): DumpProducer => ({
  kind: 'process',
  name,
  command: 'sh',
  args: ['-c', script],
  env: process.env,
});

describe('createDumpSource', () => {
  it('concatenates SQL text and process output in order and ends once every process exited 0', async () => {
    const src = createDumpSource([
      { kind: 'sql', name: 'header', sql: () => 'BEGIN-OURS;\n' },
      sh('first', 'echo one; echo warn >&2'),
      { kind: 'sql', name: 'middle', sql: async () => 'MIDDLE;\n' },
      sh('second', 'echo two'),
    ]);
    expect(await text(src.stream)).toBe('BEGIN-OURS;\none\nMIDDLE;\ntwo\n');
    await expect(src.done).resolves.toBeUndefined();
    expect(src.warnings).toEqual([{ producer: 'first', stderr: 'warn\n' }]);
  });

  it('errors instead of ending when a process fails, naming it with its stderr, and never starts the next one', async () => {
    let started = 0;
    const src = createDumpSource(
      [sh('pg_dump', 'echo partial; echo "pg_dump: error: boom" >&2; exit 3'), sh('later', 'echo never')],
      {
        onProcessStarted: () => started++,
      },
    );
    const err = await text(src.stream).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DumpFailed);
    expect((err as DumpFailed).message).toBe('pg_dump exited with code 3');
    expect((err as DumpFailed).stderr).toContain('boom');
    await expect(src.done).rejects.toBeInstanceOf(DumpFailed);
    expect(started).toBe(1);
  });

  it('lets a process that closed its output exit on its own (no signal after the end of its output)', async () => {
    // pg_dump closes its output before it exits; a SIGTERM in that window would fail a complete dump.
    const src = createDumpSource([sh('pg_dump', 'echo data; exec >&-; sleep 0.3; echo done >&2')]);
    expect(await text(src.stream)).toBe('data\n');
    await expect(src.done).resolves.toBeUndefined();
    expect(src.warnings).toEqual([{ producer: 'pg_dump', stderr: 'done\n' }]);
  });

  it('a failing SQL producer fails the stream too', async () => {
    const src = createDumpSource([
      sh('a', 'echo a'),
      { kind: 'sql', name: 'catalog query', sql: () => Promise.reject(new Error('no privilege')) },
    ]);
    const err = await text(src.stream).catch((e: unknown) => e);
    expect((err as Error).message).toBe('catalog query failed: no privilege');
  });

  it('stop() kills the running process and the stream errors', async () => {
    let pid = 0;
    const src = createDumpSource([sh('slow', 'echo first; exec sleep 30')], { onProcessStarted: (p) => (pid = p) });
    const chunks: string[] = [];
    const ended = new Promise<unknown>((resolve) => {
      src.stream.on('data', (c: Buffer) => {
        chunks.push(c.toString());
        src.stop();
      });
      src.stream.on('error', resolve);
      src.stream.on('end', () => resolve('ended'));
    });
    const err = await ended;
    expect(chunks.join('')).toBe('first\n');
    expect((err as Error).message).toBe('slow was killed by SIGTERM');
    expect(src.stopped).toBe(true);
    await expect(src.done).rejects.toThrow('slow was killed by SIGTERM');
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('destroying the stream (the upload failed) kills the process', async () => {
    let pid = 0;
    const src = createDumpSource([sh('endless', 'yes')], { onProcessStarted: (p) => (pid = p) });
    await new Promise<void>((resolve) => src.stream.once('data', () => resolve()));
    src.stream.destroy(new Error('upload failed'));
    // done settles only once the process has exited (and was reaped): nothing of ours is left running.
    await expect(src.done).rejects.toThrow('upload failed');
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
