/**
 * Benchmark: `shisha-ops frontend deploy` against `aws s3 sync` and `s3-sync-client` (bench/s3-sync-client.mjs), all on
 * one moto_server (started here, via the lab). Each tool deploys to its own bucket and runs as a user runs it: a fresh
 * process each time, measured with /usr/bin/time (wall, user+sys CPU, peak RSS of that process).
 *
 * Two builds, each through three scenarios:
 *   first      first deploy to an empty bucket;
 *   unchanged  redeploy of the same build (BENCH_ROUNDS times, default 5, alternating; best and spread printed);
 *   rebuild    redeploy after a rebuild: every file rewritten (new mtimes), BENCH_CHANGED chunks (default 50) with new
 *              content and names, index.html changed.
 *   - the 2,000-file build: BENCH_FILES (default 2000), BENCH_MB (default 75);
 *   - the big build: BENCH_BIG_FILES (default 20000, 0 skips it), BENCH_BIG_MB (default 200), BENCH_BIG_ROUNDS
 *     (default 3). The anchors run on it too unless BENCH_BIG_ANCHORS=0 (they upload every file twice).
 *   BENCH_ANCHORS=0 runs ours alone (for profiling: no ratios then).
 *
 * Ours is the deploy-frontend action bundled from this tree (esbuild, one file like the ncc bundle) with its inputs as
 * INPUT_* variables, as CI runs it. BENCH_BEFORE=<git rev, or a bundle's path> runs that version side by side, in the
 * same rounds, against its own buckets: before/after from one run. BENCH_NODE_ARGS (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof") is passed to node for ours; BENCH_LAPS=1 prints our per-phase timings.
 * BENCH_CONCURRENCY sets ours (default: the input's 16); s3-sync-client runs 16 transfers, aws s3 sync its default 10.
 *
 * Goals (issues #16, #17): CPU per uploaded file <= 1.5 ms (first deploy, 2k); peak RSS <= 100 MB at 2k and
 * <= 120 MB at 20k; unchanged redeploy <= 1.0x s3-sync-client; rebuild <= 0.15x aws s3 sync; unchanged-redeploy
 * time per file at 20k no more than at 2k (growth ratio <= 1).
 */
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { awsEnvFor, startMoto } from '../test/lab/index.js';
import { cloudFrontClient, s3Client } from '../src/core/aws.js';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const FILES = num('BENCH_FILES', 2000);
const MB = num('BENCH_MB', 75);
const BIG_FILES = num('BENCH_BIG_FILES', 20000);
const BIG_MB = num('BENCH_BIG_MB', 200);
const CHANGED = num('BENCH_CHANGED', 50);
const ROUNDS = num('BENCH_ROUNDS', 5);
const BIG_ROUNDS = num('BENCH_BIG_ROUNDS', 3);
const ANCHORS = process.env.BENCH_ANCHORS !== '0';
const BIG_ANCHORS = ANCHORS && process.env.BENCH_BIG_ANCHORS !== '0';
const root = path.resolve(import.meta.dirname, '..');

interface Build {
  files: Map<string, Buffer>;
  chunks: string[];
}

/** A Vite-like build: index.html, a few public files, hashed chunks under assets/ (sizes skewed: many small, few large). */
function generate(count: number, mb: number): Build {
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
  const chunkCount = Math.max(1, count - 1 - publicFiles.length);
  const weights = Array.from(
    { length: chunkCount + publicFiles.length },
    (_, i) => (i % 50 === 0 ? 20 : 1) * (0.5 + Math.random()),
  );
  const total = weights.reduce((a, b) => a + b, 0);
  const size = (i: number) => Math.max(64, Math.round(((weights[i] ?? 1) / total) * mb * 1024 * 1024));
  publicFiles.forEach((name, i) => files.set(name, randomBytes(size(i))));
  const chunks: string[] = [];
  for (let i = 0; i < chunkCount; i++) {
    const body = randomBytes(size(publicFiles.length + i));
    const ext = i % 5 === 0 ? 'css' : i % 7 === 0 ? 'woff2' : i % 11 === 0 ? 'webp' : 'js';
    // Large builds nest their chunks in folders (as code-split routes do), at most 1,000 per folder.
    const folder = count > 5000 ? `assets/r${Math.floor(i / 1000)}/` : 'assets/';
    const name = `${folder}chunk${i}-${hash(body)}.${ext}`;
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

/** The rebuild: CHANGED chunks get new content and names, index.html follows; everything is rewritten (new mtimes). */
function rebuild(b: Build): Build {
  const files = new Map(b.files);
  const chunks = [...b.chunks];
  const n = Math.min(CHANGED, chunks.length);
  for (let k = 0; k < n; k++) {
    const i = Math.floor((k * chunks.length) / n);
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

/** One run of a tool: wall seconds, CPU seconds (user+sys), peak RSS in MB, files uploaded. */
interface Run {
  wall: number;
  cpu: number;
  rssMb: number;
  uploads: number;
}

/**
 * Runs a command as its own process under /usr/bin/time (asynchronously: moto_server must keep being served), and
 * reads its wall time, CPU and peak RSS. `uploads` counts the files it uploaded (from its output).
 */
async function measured(
  label: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  uploads: (stdout: string) => number,
): Promise<Run> {
  const timeFile = path.join(work, 'time.txt');
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args], {
    env,
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${label} failed (exit ${code}):\n${(stderr || stdout).slice(-3000)}`);
  const [wall, user, sys, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  const run = { wall: wall!, cpu: user! + sys!, rssMb: rssKb! / 1024, uploads: uploads(stdout) };
  console.log(
    `  ${label.padEnd(34)} ${run.wall.toFixed(2).padStart(6)}s wall ${run.cpu.toFixed(2).padStart(6)}s CPU ${run.rssMb.toFixed(0).padStart(4)} MB  ${run.uploads} uploads`,
  );
  if (process.env.BENCH_LAPS)
    for (const l of stdout.split('\n')) if (/^::debug::.*: \d+ ms$/.test(l)) console.log(`      ${l.slice(9)}`);
  return run;
}

const uploadLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('upload:')).length;

/** The deploy-frontend action of a source tree, bundled into one file (esbuild: seconds, where ncc takes a minute). */
function bundle(tree: string, out: string): string {
  execFileSync(
    path.join(root, 'node_modules', '.bin', 'esbuild'),
    [
      path.join(tree, 'actions', 'deploy-frontend', 'src', 'main.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--outfile=${out}`,
      '--log-level=warning',
      "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    ],
    { cwd: tree, stdio: 'inherit' },
  );
  return out;
}

/** BENCH_BEFORE: a bundle's path as is, or a git revision of this repository bundled from `git archive`. */
function beforeBundle(spec: string): string {
  if (existsSync(spec)) return path.resolve(spec);
  const tree = path.join(work, 'before-tree');
  mkdirSync(tree);
  execFileSync('sh', ['-c', `git archive "$1" | tar -x -C "$2"`, 'sh', spec, tree], { cwd: root });
  symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'));
  return bundle(tree, path.join(work, 'before.mjs'));
}

interface Tool {
  name: string;
  /** Deploys `dir` to this tool's bucket for build `tag`. */
  run(dir: string, tag: string): Promise<Run>;
  /** An anchor (aws s3 sync, s3-sync-client) is left out of the big build with BENCH_BIG_ANCHORS=0. */
  anchor: boolean;
}

const moto = await startMoto();
const work = mkdtempSync(path.join(os.tmpdir(), 'fe-bench-'));
try {
  const env = { ...process.env, ...awsEnvFor({ moto: moto.url }) };
  Object.assign(process.env, env);
  const s3 = s3Client();
  const buckets = new Set<string>();
  const bucketFor = async (name: string) => {
    if (!buckets.has(name)) await s3.send(new CreateBucketCommand({ Bucket: name }));
    buckets.add(name);
    return name;
  };
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

  const outFile = path.join(work, 'github-output');
  const oursTool = (name: string, file: string): Tool => ({
    name,
    anchor: false,
    async run(dir, tag) {
      writeFileSync(outFile, '');
      const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const id = name.includes('before') ? 'before' : 'ours';
      return measured(
        `${name}`,
        process.execPath,
        [...nodeArgs, file],
        {
          ...env,
          'INPUT_SOURCE-DIR': dir,
          INPUT_BUCKET: await bucketFor(`bench-${id}-${tag}`),
          'INPUT_DISTRIBUTION-ID': distributionId,
          INPUT_CONCURRENCY: process.env.BENCH_CONCURRENCY ?? '',
          GITHUB_OUTPUT: outFile,
          GITHUB_STEP_SUMMARY: path.join(work, 'summary.md'),
          XDG_CACHE_HOME: path.join(work, `cache-${id}`), // each version its own MD5 cache
        },
        // GITHUB_OUTPUT holds `uploaded<<delimiter`, the value, the delimiter (or `uploaded=value`).
        () => Number(/^uploaded(?:=|<<\S+\n)(\d+)$/m.exec(readFileSync(outFile, 'utf8'))?.[1] ?? 0),
      );
    },
  });
  const tools: Tool[] = [];
  const before = process.env.BENCH_BEFORE;
  if (before) tools.push(oursTool(`ours before (${before})`, beforeBundle(before)));
  tools.push(oursTool('ours', bundle(root, path.join(work, 'ours.mjs'))));
  // aws CLI v1 (botocore >= 1.31) honours AWS_ENDPOINT_URL_S3 like our clients; the variable is in env.
  tools.push({
    name: 'aws s3 sync',
    anchor: true,
    run: async (dir, tag) =>
      measured(
        'aws s3 sync',
        'aws',
        ['s3', 'sync', dir, `s3://${await bucketFor(`bench-sync-${tag}`)}/`, '--no-progress'],
        env,
        uploadLines,
      ),
  });
  tools.push({
    name: 's3-sync-client',
    anchor: true,
    run: async (dir, tag) =>
      measured(
        's3-sync-client',
        process.execPath,
        ['bench/s3-sync-client.mjs', dir, `s3://${await bucketFor(`bench-ssc-${tag}`)}/`],
        env,
        uploadLines,
      ),
  });

  type Results = Map<string, { first?: Run; unchanged: Run[]; rebuild?: Run }>;
  const runSize = async (tag: string, count: number, mb: number, rounds: number, anchors: boolean) => {
    const build = generate(count, mb);
    const bytes = [...build.files.values()].reduce((s, b) => s + b.length, 0);
    const dir = path.join(work, `dist-${tag}`);
    write(dir, build);
    console.log(
      `\n== ${tag}: ${build.files.size} files, ${(bytes / 1048576).toFixed(1)} MB; moto_server ${moto.url}; ${os.cpus().length} CPUs`,
    );
    const used = tools.filter((t) => anchors || !t.anchor);
    const res: Results = new Map(used.map((t) => [t.name, { unchanged: [] }]));
    console.log('first deploy');
    for (const t of used) res.get(t.name)!.first = await t.run(dir, tag);
    console.log(`unchanged redeploy (${rounds} rounds)`);
    for (let r = 0; r < rounds; r++) for (const t of used) res.get(t.name)!.unchanged.push(await t.run(dir, tag));
    write(dir, rebuild(build));
    console.log(`rebuild redeploy (every file rewritten, ${CHANGED} chunks changed)`);
    for (const t of used) res.get(t.name)!.rebuild = await t.run(dir, tag);
    rmSync(dir, { recursive: true, force: true });
    return { res, files: build.files.size, build };
  };

  const small = await runSize('2k', FILES, MB, ROUNDS, ANCHORS);
  // The emulator's own limit: the same number of bare PUTs (no SDK, no signing, keep-alive, 16 at a time) straight
  // to moto_server. No tool can upload every file faster than this.
  const floor = await bareUploads(moto.url, await bucketFor('bench-floor'), small.build.files);
  small.build.files.clear();
  const big = BIG_FILES > 0 ? await runSize('big', BIG_FILES, BIG_MB, BIG_ROUNDS, BIG_ANCHORS) : undefined;

  const best = (l: Run[]) => l.reduce((a, b) => (b.wall < a.wall ? b : a));
  const median = (l: Run[]) => [...l].sort((x, y) => x.wall - y.wall)[Math.floor(l.length / 2)]!;
  const maxRss = (l: Run[]) => Math.max(...l.map((r) => r.rssMb));
  const ms = (s: number) => `${(s * 1000).toFixed(2)} ms`;
  const goal = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const table = (title: string, s: { res: Results; files: number }) => {
    console.log(`\n${title}: ${s.files} files`);
    console.log(
      '  tool                               scenario   wall      CPU    CPU/file CPU/upload  peak RSS  uploads',
    );
    for (const [name, r] of s.res) {
      const rows: [string, Run | undefined][] = [
        ['first', r.first],
        ['unchanged', r.unchanged.length ? best(r.unchanged) : undefined],
        ['rebuild', r.rebuild],
      ];
      for (const [sc, run] of rows) {
        if (!run) continue;
        console.log(
          `  ${name.padEnd(34)} ${sc.padEnd(9)} ${run.wall.toFixed(2).padStart(6)}s ${run.cpu.toFixed(2).padStart(6)}s ${ms(run.cpu / s.files).padStart(9)} ${(run.uploads ? ms(run.cpu / run.uploads) : '-').padStart(10)} ${run.rssMb.toFixed(0).padStart(6)} MB ${String(run.uploads).padStart(7)}`,
        );
      }
      if (r.unchanged.length > 1) {
        const w = r.unchanged.map((u) => u.wall);
        console.log(
          `  ${''.padEnd(34)} unchanged spread ${Math.min(...w).toFixed(2)}-${Math.max(...w).toFixed(2)}s, median ${median(r.unchanged).wall.toFixed(2)}s`,
        );
      }
    }
  };
  table('2k build', small);
  if (big) table('big build', big);

  console.log('\nratios and goals');
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  for (const t of tools.filter((x) => !x.anchor && ANCHORS)) {
    const s = small.res.get(t.name)!;
    const sync = small.res.get('aws s3 sync')!;
    const ssc = small.res.get('s3-sync-client')!;
    const cpuPerUpload = s.first!.cpu / s.first!.uploads;
    const rss2k = Math.max(s.first!.rssMb, maxRss(s.unchanged), s.rebuild!.rssMb);
    const rc = best(s.unchanged).wall / best(ssc.unchanged).wall;
    const rcMedian = median(s.unchanged).wall / median(ssc.unchanged).wall;
    const rb = s.rebuild!.wall / sync.rebuild!.wall;
    console.log(`  ${t.name}`);
    console.log(
      `    CPU per uploaded file (first deploy, 2k) ${ms(cpuPerUpload)}   goal <= 1.5 ms ${goal(cpuPerUpload <= 0.0015)}   (aws s3 sync ${ms(sync.first!.cpu / sync.first!.uploads)}, s3-sync-client ${ms(ssc.first!.cpu / ssc.first!.uploads)})`,
    );
    console.log(
      `    peak RSS at 2k ${rss2k.toFixed(0)} MB   goal <= 100 MB ${goal(rss2k <= 100)}   (aws s3 sync ${maxRss([sync.first!, ...sync.unchanged, sync.rebuild!]).toFixed(0)} MB, s3-sync-client ${maxRss([ssc.first!, ...ssc.unchanged, ssc.rebuild!]).toFixed(0)} MB)`,
    );
    console.log(
      `    first deploy vs aws s3 sync ${ratio(s.first!.wall, sync.first!.wall)} (bare PUTs floor ${floor.toFixed(2)}s = ${ratio(floor, sync.first!.wall)}), vs s3-sync-client ${ratio(s.first!.wall, ssc.first!.wall)}`,
    );
    console.log(
      `    unchanged redeploy vs s3-sync-client ${rc.toFixed(2)}x best, ${rcMedian.toFixed(2)}x median   goal <= 1.00x ${goal(rc <= 1)}`,
    );
    console.log(`    rebuild redeploy vs aws s3 sync ${rb.toFixed(2)}x   goal <= 0.15x ${goal(rb <= 0.15)}`);
    const b = big?.res.get(t.name);
    if (big && b) {
      const rssBig = Math.max(b.first!.rssMb, maxRss(b.unchanged), b.rebuild!.rssMb);
      const perFile2k = best(s.unchanged).wall / small.files;
      const perFileBig = best(b.unchanged).wall / big.files;
      const growth = perFileBig / perFile2k;
      console.log(
        `    peak RSS at ${big.files} files ${rssBig.toFixed(0)} MB   goal <= 120 MB ${goal(rssBig <= 120)}   (first ${b.first!.rssMb.toFixed(0)}, unchanged ${maxRss(b.unchanged).toFixed(0)}, rebuild ${b.rebuild!.rssMb.toFixed(0)} MB)`,
      );
      console.log(
        `    unchanged redeploy per file: ${ms(perFile2k)} at ${small.files}, ${ms(perFileBig)} at ${big.files}; growth ${growth.toFixed(2)}x   goal <= 1.00x ${goal(growth <= 1)}`,
      );
      console.log(
        `    CPU per uploaded file (first deploy, ${big.files}) ${ms(b.first!.cpu / b.first!.uploads)}; rebuild ${ms(b.rebuild!.cpu / Math.max(1, b.rebuild!.uploads))}`,
      );
      const bs = big.res.get('s3-sync-client');
      const ba = big.res.get('aws s3 sync');
      if (bs && ba)
        console.log(
          `    at ${big.files}: unchanged vs s3-sync-client ${ratio(best(b.unchanged).wall, best(bs.unchanged).wall)}, rebuild vs aws s3 sync ${ratio(b.rebuild!.wall, ba.rebuild!.wall)}`,
        );
    }
  }
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
