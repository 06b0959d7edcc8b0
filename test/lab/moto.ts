import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, hasCommand, waitFor } from './ports.js';

export interface Moto {
  url: string;
  /** Forgets every bucket and distribution (moto's own reset API). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts moto_server (S3, CloudFront, IAM, STS, ACM) on a free loopback port. */
export async function startMoto(): Promise<Moto> {
  if (!hasCommand('moto_server')) {
    throw new Error(
      "moto_server is not on PATH: install it with `pip install 'moto[server]'` (the AWS emulator the lab uses)",
    );
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // moto logs every request: send that to a file, not a pipe, so a parent that blocks its event loop (spawnSync)
  // can never stall the emulator on a full pipe.
  const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'shisha-moto-')), 'moto.log');
  const logFd = openSync(logFile, 'a');
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  closeSync(logFd);
  const logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  // Fails at once if moto_server exits (a bad install, a port taken) instead of waiting out the timeout.
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => reject(new Error(`moto_server exited (${signal ?? `code ${code}`})`)));
    child.once('error', reject);
  });
  died.catch(() => undefined);
  try {
    await Promise.race([
      died,
      waitFor('moto_server', async () => (await fetch(`${url}/moto-api/`)).status < 500, 60000),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    const log = logTail();
    rmSync(path.dirname(logFile), { recursive: true, force: true });
    throw new Error(`moto_server failed to start on port ${port}: ${(err as Error).message}\n${log}`);
  }
  return {
    url,
    async reset() {
      await fetch(`${url}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      await stopChild(child);
      rmSync(path.dirname(logFile), { recursive: true, force: true });
    },
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
