/**
 * Starts the lab and keeps it running until killed: for the CI workflow, which runs each action with
 * `uses: ./actions/<name>` against these stand-ins. Writes the environment the actions need (the standard AWS
 * endpoint variables, plus LAB_* names of what it made) to the file given as the first argument ($GITHUB_ENV).
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { Edge } from '../test/lab/edge.js';
import { startLab } from '../test/lab/index.js';
import { provisionAws } from '../test/lab/provision.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const envFile = process.argv[2];
if (!envFile) {
  console.error('usage: tsx scripts/lab-serve.ts <env-file>');
  process.exit(2);
}
const lab = await startLab({ activationMs: 1000 });
Object.assign(process.env, lab.env);
const res = await provisionAws();
const serviceUrl = await lab.lightsail.createService('shisha-log-api', {
  image: 'public.ecr.aws/shisha-log/api:previous',
});
// The distribution in front of both (the fake's container answers /health, so /api is stripped as the module can).
const edge = new Edge({
  bucket: res.bucket,
  apiOrigin: serviceUrl,
  stripApiPrefix: true,
  distributionId: res.distributionId,
});
const siteUrl = await edge.start();
const databaseUrl = lab.postgres.createDatabase('shisha_log');
lab.postgres.psql('shisha_log', `\\i ${path.resolve(import.meta.dirname, '..', 'example', 'db', 'seed.sql')}`);
const env = {
  ...lab.env,
  LAB_BUCKET: res.bucket,
  LAB_BACKUP_BUCKET: res.backupBucket,
  LAB_DISTRIBUTION_ID: res.distributionId,
  LAB_SERVICE_NAME: 'shisha-log-api',
  LAB_DATABASE_URL: databaseUrl,
  LAB_SITE_URL: siteUrl,
};
appendFileSync(
  envFile,
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n',
);
console.log(`lab ready: moto ${lab.moto.url}, postgres :${lab.postgres.port}, lightsail ${lab.lightsail.url}`);
const stop = () =>
  void edge
    .stop()
    .then(() => lab.stop())
    .then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => undefined, 1 << 30);
