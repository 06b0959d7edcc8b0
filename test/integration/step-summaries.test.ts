/**
 * The step summaries of the three actions, rendered by the real Actions reporter (what GitHub shows on the run page)
 * for real runs against the lab: the first line says the result and where (✅ release and site URL, service URL,
 * backup key) or what failed (❌, then what keeps serving), then one table; the outputs are folded away.
 * Set SUMMARY_SNAPSHOT_DIR to keep the rendered files (to look at them in a browser).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inputsFrom } from '../../src/core/inputs.js';
import type { Reporter } from '../../src/core/reporter.js';
import { ActionsReporter } from '../../src/core/reporter-actions.js';
import { runJob } from '../../src/core/run.js';
import { pg, uniqueName, useLabAws } from '../lab/shared.js';
import { FAST, image, startFake } from './backend-helpers.js';
import { baseBuild, makeTarget, writeBuild } from './frontend-helpers.js';
import type { LightsailFake } from '../lab/lightsail-fake.js';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../src/core/aws.js';
import { BACKEND_COMMANDS } from '../../src/backend/commands.js';
import { FRONTEND_COMMANDS } from '../../src/frontend/commands.js';
import { BACKUP_COMMANDS } from '../../src/backup/commands.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'summaries-'));
const summaryFile = path.join(dir, 'step-summary.md');

/** Runs a job as its action does (Actions reporter, runJob) and returns the step summary it wrote. */
async function render(
  name: string,
  title: string,
  job: (r: Reporter) => Promise<unknown>,
): Promise<{ code: number; md: string; first: string }> {
  writeFileSync(summaryFile, '');
  const reporter = new ActionsReporter();
  reporter.jobTitle = title;
  const code = await runJob(reporter, () => job(reporter).then(() => undefined));
  const md = readFileSync(summaryFile, 'utf8');
  if (process.env.SUMMARY_SNAPSHOT_DIR)
    copyFileSync(summaryFile, path.join(process.env.SUMMARY_SNAPSHOT_DIR, `${name}.md`));
  return { code, md, first: md.split('\n')[0] ?? '' };
}

const tables = (md: string) => md.match(/<table>/g)?.length ?? 0;

describe('step summaries', () => {
  let fake: LightsailFake;
  let stopFake: () => Promise<void>;
  const saved = { GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY, GITHUB_OUTPUT: process.env.GITHUB_OUTPUT };

  beforeAll(async () => {
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    process.env.GITHUB_OUTPUT = path.join(dir, 'outputs');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
    ({ fake, stop: stopFake } = await startFake(100));
    useLabAws({ lightsail: process.env.AWS_ENDPOINT_URL_LIGHTSAIL });
  });
  afterAll(async () => {
    await stopFake();
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploy-frontend: ✅ the release and the site URL first, then the plan with readable sizes', async () => {
    const t = await makeTarget('summary-fe');
    const source = writeBuild(baseBuild());
    const r = await render('frontend', 'Frontend deploy', (rep) =>
      FRONTEND_COMMANDS.deploy(
        inputsFrom({ 'source-dir': source, bucket: t.bucket, 'distribution-id': t.distributionId }),
        rep,
      ),
    );
    expect(r.code).toBe(0);
    expect(r.first).toMatch(
      /^<h3>✅ Frontend deployed: release \d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8} is live at https:\/\/[\w.-]+\.cloudfront\.net\/<\/h3>$/,
    );
    expect(tables(r.md)).toBe(1);
    expect(r.md).toMatch(/<th>Size<\/th>/);
    expect(r.md).toMatch(/<td>\d+(\.\d)? (B|KiB)<\/td>/);
    expect(r.md).toMatch(/<details><summary>Outputs<\/summary>.*<code>release-id<\/code>/s);
  });

  it('deploy-backend: ✅ the version and the service URL first', async () => {
    const url = await fake.createService('summary-svc', { image: image('api', '1') });
    const r = await render('backend', 'Backend deploy', (rep) =>
      BACKEND_COMMANDS.deploy(inputsFrom({ 'service-name': 'summary-svc', image: image('api', '2') }), rep, {
        timing: FAST,
      }),
    );
    expect(r.code).toBe(0);
    expect(r.first).toBe(`<h3>✅ Backend deployed: version 2 of 'summary-svc' at ${url} is ACTIVE and healthy</h3>`);
    expect(tables(r.md)).toBe(1);
  });

  it('db-backup: ✅ the stored key and its readable size first', async () => {
    const db = uniqueName('summary_db').replace(/-/g, '_');
    const url = pg.createDatabase(db);
    pg.psql(db, 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100)');
    const bucket = uniqueName('summary-backups');
    await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
    const r = await render('backup', 'Database backup', (rep) =>
      BACKUP_COMMANDS.run(inputsFrom({ 'database-url': url, bucket, project: 'my-app' }), rep),
    );
    expect(r.code).toBe(0);
    expect(r.first).toMatch(
      new RegExp(
        `^<h3>✅ Backup stored: s3://${bucket}/backups/\\d{4}/\\d{2}/my-app_prod_${db}_\\d{8}_\\d{6}\\.sql\\.gz \\(\\d+(\\.\\d)? (B|KiB), verified\\)</h3>$`,
      ),
    );
    expect(tables(r.md)).toBe(1);
    expect(r.md).not.toContain(pg.password);
  });

  it('a failed deploy: ❌ what failed first, then the error saying what keeps serving', async () => {
    const bad = image('api', '9');
    fake.setImage(bad, { outcome: 'failed', logs: ['Error: boom'] });
    await fake.createService('summary-fail', { image: image('api', '1') });
    const r = await render('failure', 'Backend deploy', (rep) =>
      BACKEND_COMMANDS.deploy(inputsFrom({ 'service-name': 'summary-fail', image: bad }), rep, { timing: FAST }),
    );
    expect(r.code).toBe(1);
    const lines = r.md.split('\n');
    expect(lines[0]).toBe('<h3>❌ Backend deploy failed</h3>');
    expect(lines[1]).toBe(
      "<p>deployment version 2 of 'summary-fail' FAILED (see the container log above); the previous deployment (version 1) keeps serving</p>",
    );
    expect(tables(r.md)).toBe(1);
  });

  it('bad input: ❌ and the one line naming the input, nothing else', async () => {
    const r = await render('bad-input', 'Database backup', (rep) =>
      BACKUP_COMMANDS.run(
        inputsFrom({
          'database-url': 'postgresql://u:secret-pw@db.example.com:6543/postgres',
          bucket: 'b-ok',
          project: 'my-app',
        }),
        rep,
      ),
    );
    expect(r.code).toBe(2);
    expect(r.first).toBe('<h3>❌ Database backup failed</h3>');
    expect(r.md).toMatch(/^<p>Input 'database-url': .*6543.*<\/p>$/m);
    expect(r.md).not.toContain('secret-pw');
  });
});
