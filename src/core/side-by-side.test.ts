import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { SideBySide } from './side-by-side.js';

/** A task that rejects with `err` after `ms`, or with a cancellation as soon as `signal` aborts. */
function task(ms: number, err: Error, signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const t = setTimeout(() => reject(err), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(Object.assign(new Error('stopped'), { cancelled: true }));
    });
  });
}

describe('SideBySide', () => {
  it('stops the others at the first failure and reports it, not the cancellations it caused', async () => {
    const s = new SideBySide();
    const slow = s.watch(task(5000, new Error('slow'), s.signal));
    const fast = s.watch(task(10, new Error('version: wrong password'), s.signal));
    const all = Promise.all([slow, fast]).catch((err: unknown) => s.fail(err));
    await expect(all).rejects.toThrow('version: wrong password');
    expect(s.signal.aborted).toBe(true);
  });

  it('reports the first task in watch order that failed on its own, whichever failed first', async () => {
    const s = new SideBySide();
    // Both meet the same wrong password; the second happens to fail first. Its failure stops nothing that had
    // already failed on its own, so the first one's message is the one shown, every time.
    const first = s.watch(sleep(30).then(() => Promise.reject(new Error('first: wrong password'))));
    const second = s.watch(task(5, new Error('second: wrong password'), s.signal));
    const all = Promise.all([first, second]).catch((err: unknown) => s.fail(err));
    await expect(all).rejects.toThrow('first: wrong password');
  });
});
