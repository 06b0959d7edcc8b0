// The anchor of the unchanged-redeploy bench (bench/frontend-bench.ts): `s3-sync-client`, run as its own process the
// way a hand-written deploy script would use it (size + mtime comparison, no content check).
//   node bench/s3-sync-client.mjs <dir> s3://<bucket>/
import { S3Client } from '@aws-sdk/client-s3';
import { S3SyncClient } from 's3-sync-client';

const [dir, target] = process.argv.slice(2);
const client = new S3Client({ forcePathStyle: true });
const { sync } = new S3SyncClient({ client });
const { created, updated } = await sync(dir, target, { maxConcurrentTransfers: 16 });
for (const o of [...(created ?? []), ...(updated ?? [])]) console.log(`upload: ${o.id}`);
