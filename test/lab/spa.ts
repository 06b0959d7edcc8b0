/**
 * The example app for tests and the demo: Vite builds of example/frontend (VITE_BUILD_LABEL changes the lazy
 * Flavors route's chunk only), and the example API (example/backend/server.mjs) as a child process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './ports.js';

const root = path.resolve(import.meta.dirname, '..', '..');

export interface SpaBuild {
  dir: string;
  /** File names under assets/, e.g. Flavors-DMnBchrS.js. */
  assets: string[];
  /** The lazy route's chunk (assets/Flavors-<hash>.js). */
  flavorsChunk: string;
}

/** Builds the example SPA into a fresh temp dir with the given label (and API base, default /api/v1). */
export function buildSpa(label: string, env: Record<string, string> = {}): SpaBuild {
  const dir = mkdtempSync(path.join(os.tmpdir(), `spa-${label}-`));
  const res = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      'example/frontend',
      '--outDir',
      dir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, VITE_BUILD_LABEL: label, ...env },
    },
  );
  if (res.status !== 0) throw new Error(`vite build failed (exit ${res.status}): ${res.stderr || res.stdout}`);
  const assets = readdirSync(path.join(dir, 'assets'));
  const flavorsChunk = assets.find((f) => /^Flavors-.+\.js$/.test(f));
  if (!flavorsChunk) throw new Error(`vite build has no Flavors chunk: ${assets.join(', ')}`);
  return { dir, assets, flavorsChunk: `assets/${flavorsChunk}` };
}

/** Starts the example API on a free loopback port; resolves once /health answers. */
export async function startExampleApi(
  version = 'lab',
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'example', 'backend', 'server.mjs')], {
    env: { ...process.env, PORT: String(port), APP_VERSION: version },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('example API', async () => (await fetch(`${url}/health`)).ok, 10000);
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
