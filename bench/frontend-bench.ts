/**
 * Benchmark: `shisha-ops frontend deploy` against `aws s3 sync` on the same moto_server (started here, via the lab).
 *   (a) first deploy of a generated build (default 2,000 files, ~75 MB) to an empty bucket;
 *   (b) redeploy after a rebuild: every file rewritten (new mtimes), 5 chunks changed (new hashed names), index.html changed;
 *   (c) redeploy of the unchanged build, against `s3-sync-client` (size + mtime only; bench/s3-sync-client.mjs), each
 *       BENCH_ROUNDS times (default 5), alternating, best and spread printed (the machine is shared).
 * Each tool deploys to its own bucket. Both run as a user runs them: a fresh process each time.
 * Sizes: BENCH_FILES (default 2000), BENCH_MB (default 75); BENCH_CONCURRENCY sets ours (default: the input's 16). Goals: (a) <= 0.6x, (b) <= 0.15x, (c) <= 1.0x wall time.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { awsEnvFor, startMoto } from '../test/lab/index.js';
import { cloudFrontClient, s3Client } from '../src/core/aws.js';

const FILES = Number(process.env.BENCH_FILES ?? 2000);
const MB = Number(process.env.BENCH_MB ?? 75);
const root = path.resolve(import.meta.dirname, '..');

interface Build {
  files: Map<string, Buffer>;
  chunks: string[];
}

/** A Vite-like build: index.html, a few public files, hashed chunks under assets/ (sizes skewed: many small, few large). */
function generate(): Build {
  const files = new Map<string, Buffer>();
  const publicFiles = [
    'favicon.ico',
    'robots.txt',
    'manifest.webmanifest',
    'apple-touch-icon.png',
    'og-image.png',
    'sw.js',
    'logo.svg',
    'fonts.css',
  ];
  const chunkCount = Math.max(1, FILES - 1 - publicFiles.length);
  const weights = Array.from(
    { length: chunkCount + publicFiles.length },
    (_, i) => (i % 50 === 0 ? 20 : 1) * (0.5 + Math.random()),
  );
  const total = weights.reduce((a, b) => a + b, 0);
  const size = (i: number) => Math.max(64, Math.round(((weights[i] ?? 1) / total) * MB * 1024 * 1024));
  publicFiles.forEach((name, i) => files.set(name, randomBytes(size(i))));
  const chunks: string[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const body = randomBytes(size(publicFiles.length + i));
    const ext = i % 5 === 0 ? 'css' : i % 7 === 0 ? 'woff2' : i % 11 === 0 ? 'webp' : 'js';
    const name = `assets/chunk${i}-${hash(body)}.${ext}`;
    files.set(name, body);
    chunks.push(name);
  }
  files.set('index.html', indexHtml(chunks));
  return { files, chunks };
}

const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 8);
const indexHtml = (chunks: string[]) =>
  Buffer.from(
    `<!doctype html><html><head>${chunks
      .slice(0, 5)
      .map((c) => `<script type="module" src="/${c}"></script>`)
      .join('')}</head><body><div id="root"></div></body></html>`,
  );

/** The rebuild: 5 chunks get new content and names, index.html follows; everything is rewritten (new mtimes). */
function rebuild(b: Build): Build {
  const files = new Map(b.files);
  const chunks = [...b.chunks];
  for (let k = 0; k < Math.min(5, chunks.length); k++) {
    const i = Math.floor((k * chunks.length) / 5);
    const old = chunks[i] as string;
    const body = randomBytes((files.get(old) as Buffer).length);
    const name = old.replace(/-[0-9a-f]{8}\./, `-${hash(body)}.`);
    files.delete(old);
    files.set(name, body);
    chunks[i] = name;
  }
  files.set('index.html', indexHtml(chunks));
  return { files, chunks };
}

function write(dir: string, b: Build): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [rel, body] of b.files) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), body);
  }
}

/** Runs a command as its own process (asynchronously: moto_server's log pipe must keep draining) and times it. */
async function timed(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) throw new Error(`${label} failed (exit ${code}):\n${(stderr || stdout).slice(-3000)}`);
  console.log(`  ${label}: ${secs.toFixed(2)}s  (${cmdSummary(stdout.trim().split('\n'))})`);
  // BENCH_LAPS=1: the deploy's own per-phase timings (debug lines ending in "ms").
  if (process.env.BENCH_LAPS)
    for (const l of stdout.split('\n')) if (/^::debug::.*: \d+ ms$/.test(l)) console.log(`      ${l.slice(9)}`);
  return secs;
}

function cmdSummary(lines: string[]): string {
  const uploads = lines.filter((l) => l.startsWith('upload:')).length;
  if (uploads) return `${uploads} uploads`;
  const live = lines.find((l) => l.includes(' is live: '));
  const inv = lines.find((l) => l.startsWith('invalidation '));
  return [live?.replace(/^.* is live: /, ''), inv].filter(Boolean).join('; ') || 'nothing to do';
}

const moto = await startMoto();
const work = mkdtempSync(path.join(os.tmpdir(), 'fe-bench-'));
try {
  const env = { ...process.env, ...awsEnvFor({ moto: moto.url }) };
  Object.assign(process.env, env);
  const s3 = s3Client();
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-ours' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-sync' }));
  const dist = await cloudFrontClient().send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: 'bench',
        Comment: 'bench',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [
            { Id: 's3', DomainName: 'bench-ours.s3.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 's3',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
        },
      },
    }),
  );
  const distributionId = dist.Distribution?.Id ?? '';

  const build = generate();
  const bytes = [...build.files.values()].reduce((s, b) => s + b.length, 0);
  const dir = path.join(work, 'dist');
  write(dir, build);
  console.log(
    `build: ${build.files.size} files, ${(bytes / 1048576).toFixed(1)} MB; moto_server ${moto.url}; ${os.cpus().length} CPUs`,
  );

  // Ours as CI runs it: the bundled action (actions/deploy-frontend/dist), inputs as INPUT_* variables.
  const outFile = path.join(work, 'github-output');
  const ours = (label: string, bundle = 'actions/deploy-frontend/dist/index.js') => {
    writeFileSync(outFile, '');
    // BENCH_NODE_ARGS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile ours.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    return timed(label, process.execPath, [...nodeArgs, bundle], {
      ...env,
      'INPUT_SOURCE-DIR': dir,
      INPUT_BUCKET: 'bench-ours',
      'INPUT_DISTRIBUTION-ID': distributionId,
      INPUT_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? '',
      GITHUB_OUTPUT: outFile,
      GITHUB_STEP_SUMMARY: path.join(work, 'summary.md'),
    });
  };
  // aws CLI v1 (botocore >= 1.31) honours AWS_ENDPOINT_URL_S3 like our clients; the variable is in env.
  const sync = (label: string) => timed(label, 'aws', ['s3', 'sync', dir, 's3://bench-sync/', '--no-progress'], env);

  // BENCH_ONLY_C=1: only (c) (the bucket is filled by one untimed deploy).
  const onlyC = Boolean(process.env.BENCH_ONLY_C);
  console.log('(a) first deploy');
  const a1 = await ours('shisha-ops frontend deploy');
  const a2 = onlyC ? NaN : await sync('aws s3 sync');
  if (!onlyC) write(dir, rebuild(build));
  console.log('(b) redeploy after a rebuild (new mtimes, 5 changed chunks)');
  const b1 = onlyC ? NaN : await ours('shisha-ops frontend deploy');
  const b2 = onlyC ? NaN : await sync('aws s3 sync');

  // (c) The same build again. s3-sync-client gets its own bucket, filled once (untimed) from this build.
  const ssc = (label: string) =>
    timed(label, process.execPath, ['bench/s3-sync-client.mjs', dir, 's3://bench-ssc/'], env);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench-ssc' }));
  console.log('(c) redeploy of the unchanged build (s3-sync-client filled its bucket first, untimed)');
  await ssc('s3-sync-client, first sync (untimed)');
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const c1: number[] = [];
  const c2: number[] = [];
  // BENCH_BEFORE=<an older bundle of the action>: timed in the same rounds, for before/after figures.
  const before = process.env.BENCH_BEFORE;
  const c0: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (before) c0.push(await ours('shisha-ops frontend deploy (before)', before));
    c1.push(await ours('shisha-ops frontend deploy'));
    c2.push(await ssc('s3-sync-client'));
  }

  // The emulator's own limit: the same number of bare PUTs (no SDK, no signing, keep-alive, 16 at a time) straight
  // to moto_server. No tool can upload every file faster than this; it bounds what ratio (a) can reach here.
  const floor = onlyC ? NaN : await bareUploads(moto.url, 'bench-floor', build.files);
  console.log(`  moto_server floor (bare PUTs of every file): ${floor.toFixed(2)}s`);

  const ra = a1 / a2;
  const rb = b1 / b2;
  const best = (l: number[]) => Math.min(...l);
  const median = (l: number[]) => [...l].sort((x, y) => x - y)[Math.floor(l.length / 2)] as number;
  const rc = best(c1) / best(c2);
  const spread = (l: number[]) => `${best(l).toFixed(2)}-${Math.max(...l).toFixed(2)}s`;
  console.log('');
  console.log('  scenario                 ours      aws s3 sync   ratio   goal');
  console.log(
    `  (a) first deploy     ${a1.toFixed(2).padStart(7)}s  ${a2.toFixed(2).padStart(10)}s   ${ra.toFixed(2)}x  <= 0.60x ${ra <= 0.6 ? 'met' : 'MISSED'}`,
  );
  console.log(
    `  (b) rebuild redeploy ${b1.toFixed(2).padStart(7)}s  ${b2.toFixed(2).padStart(10)}s   ${rb.toFixed(2)}x  <= 0.15x ${rb <= 0.15 ? 'met' : 'MISSED'}`,
  );
  console.log(
    `  (c) unchanged redeploy ${best(c1).toFixed(2).padStart(5)}s  ${best(c2).toFixed(2).padStart(10)}s   ${rc.toFixed(2)}x  <= 1.00x ${rc <= 1 ? 'met' : 'MISSED'}   (s3-sync-client; best of ${rounds} alternating)`,
  );
  console.log(
    `      spread: ours ${spread(c1)} (median ${median(c1).toFixed(2)}s), s3-sync-client ${spread(c2)} (median ${median(c2).toFixed(2)}s); median ratio ${(median(c1) / median(c2)).toFixed(2)}x`,
  );
  if (before)
    console.log(
      `      before (${before}): best ${best(c0).toFixed(2)}s, median ${median(c0).toFixed(2)}s; ratio ${(best(c0) / best(c2)).toFixed(2)}x (median ${(median(c0) / median(c2)).toFixed(2)}x)`,
    );
  console.log(
    `  (a) is bounded by the emulator: bare PUTs alone take ${floor.toFixed(2)}s, so the best ratio reachable here is ${(floor / a2).toFixed(2)}x`,
  );
} finally {
  await moto.stop();
  rmSync(work, { recursive: true, force: true });
}

/** Times bare HTTP PUTs of every file to moto_server (path-style, unsigned, keep-alive, 16 in flight). */
async function bareUploads(endpoint: string, bucket: string, files: Map<string, Buffer>): Promise<number> {
  const url = new URL(endpoint);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const put = (p: string, body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'PUT',
          path: p,
          agent,
          headers: { 'content-length': body?.length ?? 0 },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`PUT ${p}: HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await put(`/${bucket}`);
  const entries = [...files];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < entries.length) {
        const [key, body] = entries[next++] as [string, Buffer];
        await put(`/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`, body);
      }
    }),
  );
  agent.destroy();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
