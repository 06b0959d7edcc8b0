/**
 * The checks before a dump run side by side; the first failure stops the others' processes, and the user reads one
 * failure, not a wait for every psql to reach its connect timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { InputError } from '../../src/core/errors.js';
import { inputsFrom } from '../../src/core/inputs.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';
import { captureReporter } from '../lab/capture.js';
import { useLabAws } from '../lab/shared.js';

/** psql processes this test process started that still run. */
function ourPsqls(): string[] {
  const ps = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => /\bpsql$/.test(l.trim()));
}

describe('backup run: checks before the dump', () => {
  // A "database" that accepts connections and never answers: each psql waits for its connect timeout (20 s).
  let server: Server;
  const sockets = new Set<Socket>();
  let port = 0;

  beforeAll(async () => {
    useLabAws();
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a missing bucket stops the psql checks of a database that does not answer, and is the failure reported', async () => {
    const out = captureReporter(true);
    const err = await BACKUP_COMMANDS.run(
      inputsFrom({
        'database-url': `postgresql://app:pw@127.0.0.1:${port}/postgres`,
        bucket: 'no-such-bucket-for-checks',
        project: 'app',
      }),
      out.reporter,
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(
      "Input 'bucket': bucket 'no-such-bucket-for-checks' does not exist (ListObjectsV2: NoSuchBucket); nothing was dumped",
    );
    // No psql is left waiting on the silent database once the run has failed.
    expect(ourPsqls()).toEqual([]);
  });
});
