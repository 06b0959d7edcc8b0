import { spawn, type ChildProcess } from 'node:child_process';
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
    throw new Error("moto_server is not on PATH: install it with `pip install 'moto[server]'` (the AWS emulator the lab uses)");
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    await waitFor('moto_server', async () => {
      if (exited) throw new Error('exited');
      const res = await fetch(`${url}/moto-api/`);
      return res.status < 500;
    }, 60000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`moto_server failed to start on port ${port}: ${(err as Error).message}\n${stderr}`);
  }
  return {
    url,
    async reset() {
      await fetch(`${url}/moto-api/reset`, { method: 'POST' });
    },
    stop: () => stopChild(child),
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
