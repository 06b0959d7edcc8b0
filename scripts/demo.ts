/**
 * `npm run demo`: the whole pipeline, locally, against the lab's stand-ins (moto_server for S3 + CloudFront, a
 * throwaway PostgreSQL, the Lightsail fake) behind the local edge (test/lab/edge.ts: answers like the CloudFront
 * distribution). Every step runs the real `shisha-ops` CLI, exactly as a user would, with only the standard AWS
 * endpoint variables pointing it at the lab. Prints one summary and the site URL; exits non-zero if any step
 * fails; cleans up after itself, also on Ctrl-C. `npm run demo -- --keep` leaves the lab and the edge running
 * until Ctrl-C, so a browser and curl reach the deployed SPA and API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTable } from '../src/core/reporter-terminal.js';
import { Edge } from '../test/lab/edge.js';
import { startLab, type Lab } from '../test/lab/index.js';
import { freePort, waitFor } from '../test/lab/ports.js';
import { provisionAws } from '../test/lab/provision.js';

const root = path.resolve(import.meta.dirname, '..');
// The SDK's notice that its 2027 releases need Node 22 is in the README; keep the demo's output to the pipeline.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const work = mkdtempSync(path.join(os.tmpdir(), 'shisha-demo-'));
const outputsFile = path.join(work, 'outputs.json');
const children: ChildProcess[] = [];
let lab: Lab | undefined;
let edge: Edge | undefined;
const keep = process.argv.includes('--keep');

interface StepResult {
  step: string;
  ok: boolean;
  seconds: number;
  detail: string;
}
const results: StepResult[] = [];

async function step(name: string, fn: () => Promise<string>): Promise<void> {
  console.log(`\n━━ ${name}`);
  const t0 = Date.now();
  try {
    const detail = await fn();
    results.push({ step: name, ok: true, seconds: (Date.now() - t0) / 1000, detail });
  } catch (err) {
    const detail = (err as Error).message.split('\n')[0] ?? '';
    results.push({ step: name, ok: false, seconds: (Date.now() - t0) / 1000, detail });
    throw err;
  }
}

/** Runs a command with the lab's environment, streaming its output; resolves with the outputs it wrote. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Record<string, string>> {
  rmSync(outputsFile, { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...lab?.env, SHISHA_OPS_OUTPUTS_FILE: outputsFile, ...env },
    });
    children.push(child);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0)
        return reject(new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')} exited with ${code}`));
      try {
        resolve(JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, string>);
      } catch {
        resolve({});
      }
    });
  });
}

const cli = (...args: string[]) => run(process.execPath, [path.join(root, 'bin', 'shisha-ops.js'), ...args]);

async function cleanup(): Promise<void> {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await edge?.stop().catch(() => undefined);
  edge = undefined;
  await lab?.stop().catch(() => undefined);
  lab = undefined;
  rmSync(work, { recursive: true, force: true });
}

// Ctrl-C (and a terminating signal) stop the lab and remove the temp files before exiting; a second signal while
// that runs does not cut it short.
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${sig === 'SIGINT' ? 'interrupted' : sig}: stopping the lab`);
    void cleanup().then(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const bucket = 'shisha-log-prod-frontend';
  const backupBucket = 'shisha-log-prod-db-backups';
  const service = 'shisha-log-api';
  let distributionId = '';
  let serviceUrl = '';

  await step('Start the lab (moto_server, PostgreSQL, Lightsail fake)', async () => {
    lab = await startLab({ activationMs: 1500 });
    Object.assign(process.env, lab.env);
    return `moto ${lab.moto.url}, postgres :${lab.postgres.port}, lightsail ${lab.lightsail.url}`;
  });

  await step('Create the buckets and the CloudFront distribution (what infra/ makes in AWS)', async () => {
    const r = await provisionAws({ bucket, backupBucket });
    distributionId = r.distributionId;
    return `s3://${bucket}, s3://${backupBucket}, distribution ${distributionId}`;
  });

  const spa = path.join(work, 'spa');
  await step('Build the example SPA (Vite; the API on the same origin under /api/v1)', async () => {
    await run(
      process.execPath,
      [
        path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        'example/frontend',
        '--outDir',
        spa,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      {
        VITE_API_BASE_URL: '/api/v1',
        VITE_BUILD_LABEL: 'demo',
      },
    );
    return spa;
  });

  await step('Deploy the SPA to S3 + CloudFront', async () => {
    const o = await cli(
      'frontend',
      'deploy',
      '--source-dir',
      spa,
      '--bucket',
      bucket,
      '--distribution-id',
      distributionId,
    );
    return `release ${o['release-id']}: uploaded ${o.uploaded}, invalidation ${o['invalidation-id'] || 'none'} (${o['invalidation-paths'] || '-'})`;
  });

  await step('Redeploy the same build (nothing to upload)', async () => {
    const o = await cli(
      'frontend',
      'deploy',
      '--source-dir',
      spa,
      '--bucket',
      bucket,
      '--distribution-id',
      distributionId,
    );
    if (o.uploaded !== '0') throw new Error(`expected nothing uploaded, got ${o.uploaded}`);
    return `uploaded ${o.uploaded}, unchanged ${o.unchanged}`;
  });

  await step('Deploy the API image to the Lightsail container service and probe /health', async () => {
    const port = await freePort();
    const api = spawn(process.execPath, [path.join(root, 'example', 'backend', 'server.mjs')], {
      env: { ...process.env, PORT: String(port), APP_VERSION: 'demo' },
      stdio: 'ignore',
    });
    children.push(api);
    await waitFor('example API', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 10000);
    serviceUrl = await lab!.lightsail.createService(service, {
      image: 'public.ecr.aws/shisha-log/api:previous',
      upstream: `http://127.0.0.1:${port}`,
    });
    const digest = 'sha256:' + 'a1b2c3d4'.repeat(8);
    const o = await cli(
      'backend',
      'deploy',
      '--service-name',
      service,
      '--image',
      `public.ecr.aws/shisha-log/api@${digest}`,
      '--environment',
      `DATABASE_URL=${lab!.postgres.urlFor('shisha_log')}\nNODE_ENV=production`,
    );
    return `version ${o.version} ${o.state} at ${o.url}`;
  });

  await step(
    'Start the local edge (the CloudFront distribution: SPA routing function, /api/* to Lightsail)',
    async () => {
      edge = new Edge({ bucket, apiOrigin: serviceUrl, distributionId, env: lab!.env });
      siteUrl = await edge.start();
      return siteUrl;
    },
  );

  await step('Verify the live site (release, deep link, assets, missing asset, API health, headers)', async () => {
    const o = await cli('verify', '--url', siteUrl, '--bucket', bucket, '--wait-seconds', '30');
    return `${o.passed} checks passed, release ${o['release-id']}`;
  });

  let databaseUrl = '';
  await step('Seed the database', async () => {
    databaseUrl = lab!.postgres.createDatabase('shisha_log');
    await run(path.join(lab!.postgres.binDir, 'psql'), [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-f',
      'example/db/seed.sql',
      databaseUrl,
    ]);
    return `${lab!.postgres.psql('shisha_log', 'SELECT count(*) FROM sessions')} sessions`;
  });

  let key = '';
  await step('Back up the database to S3 (pg_dump | gzip, SSE AES-256, verified)', async () => {
    const o = await cli(
      'backup',
      'run',
      '--database-url',
      databaseUrl,
      '--bucket',
      backupBucket,
      '--project',
      'shisha-log',
    );
    key = o.key ?? '';
    return `${o.uri} (${o.size} bytes, sha256 ${String(o.sha256).slice(0, 12)}…)`;
  });

  await step('List the backups', async () => {
    await cli('backup', 'list', '--bucket', backupBucket);
    return `newest: ${key}`;
  });

  await step('Restore the newest backup into a scratch database and compare', async () => {
    const scratch = lab!.postgres.createDatabase('shisha_log_restore');
    await cli('backup', 'restore', '--bucket', backupBucket, '--key', key, '--target-url', scratch, '--yes');
    const count = (db: string) =>
      lab!.postgres.psql(db, "SELECT (SELECT count(*) FROM sessions) || '/' || (SELECT count(*) FROM flavors)");
    const [a, b] = [count('shisha_log'), count('shisha_log_restore')];
    if (a !== b) throw new Error(`row counts differ: source ${a}, restored ${b}`);
    return `sessions/flavors ${b} in both`;
  });

  await step('Production status (SPA release, API version and health, newest backup)', async () => {
    const o = await cli(
      'status',
      '--bucket',
      bucket,
      '--url',
      siteUrl,
      '--service-name',
      service,
      '--backup-bucket',
      backupBucket,
    );
    return `release ${o['release-id']}, live ${o['live-matches'] === 'true' ? 'matches' : 'differs'}, API version ${o['api-version']}`;
  });
}

let siteUrl = '';
const t0 = Date.now();
let failed = false;
try {
  await main();
} catch {
  failed = true;
} finally {
  if (!keep || failed) await cleanup();
}
console.log(
  `\nShisha Log pipeline demo — ${failed ? 'FAILED' : 'all steps passed'} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`,
);
console.log(
  formatTable([
    ['', 'Step', 'Time', 'Result'],
    ...results.map((r) => [r.ok ? '✔' : '✘', r.step, `${r.seconds.toFixed(1)}s`, r.detail]),
  ]),
);
process.exitCode = failed ? 1 : 0;
if (keep && !failed) {
  console.log(`\nThe lab and the edge keep running until Ctrl-C:`);
  console.log(`  curl -i ${siteUrl}/api/health`);
  console.log(
    '  # the CLI against the lab, e.g. `npm run cli -- status --bucket shisha-log-prod-frontend --service-name shisha-log-api`:',
  );
  for (const [k, v] of Object.entries(lab?.env ?? {})) console.log(`  export ${k}=${v}`);
  console.log(`\nSite: ${siteUrl}/`);
  setInterval(() => undefined, 1 << 30); // until a signal runs the cleanup
} else if (siteUrl) {
  console.log(`\nSite: ${siteUrl}/ (stopped with the demo; \`npm run demo -- --keep\` keeps it running)`);
}
