import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ContainerServiceDeployment, LightsailClient } from '@aws-sdk/client-lightsail';
import { InputError, describeError } from '../core/errors.js';
import { getString, type InputSource } from '../core/inputs.js';
import type { Outputs } from '../core/command.js';
import type { Reporter } from '../core/reporter.js';
import { getRegion, getServiceName } from '../backend/deploy-inputs.js';
import { environmentValues } from '../backend/deployment-request.js';
import { getService, stateLine, urlWithPath } from '../backend/service.js';
import type { OpsClients } from './clients.js';
import { humanSize } from '../core/size.js';
import { listBackups } from '../backup/list.js';
import { getPrefix as getBackupPrefix } from '../backup/inputs.js';
import { checkBucket, getManifest, listBucket } from '../frontend/bucket.js';
import { keyPrefix } from '../frontend/releases.js';
import { fetchWhole, md5, siteUrl } from './http-check.js';
import { describeLock, getLockBucket, readLock } from './lock.js';

type Row = [part: string, item: string, value: string, ok: '✔' | '✘' | ''];

/** A backup older than this misses the weekly schedule (a week and a day of slack). */
const BACKUP_MAX_AGE_HOURS = 8 * 24;

/**
 * `shisha-ops status`: what production runs, in one table. The SPA (with `bucket`): current release, whether the
 * live index.html (with `url`) is it, the deploy lock. The API (with `service-name`): Lightsail version, image and
 * digest, state, health. Backups (with `backup-bucket`): the newest one's age and size, and its drill result when a
 * `<key>.manifest.json` records one. Each part is shown when its input is given; a part that cannot be read shows
 * why, and the others still show.
 */
export interface OpsStatusInputs {
  /** The SPA bucket (empty: no SPA part) and its prefix. */
  bucket: string;
  prefix: string;
  url: string;
  /** The container service (empty: no API part) and its region. */
  serviceName: string;
  region?: string;
  /** The backups bucket (empty: no backup part) and its prefix. */
  backupBucket: string;
  backupsUnder: string;
}

export function parseOpsStatusInputs(src: InputSource): OpsStatusInputs {
  const bucket = getLockBucket(src, 'bucket');
  const prefix = keyPrefix(getString(src, 'prefix'));
  const url = getString(src, 'url');
  if (url && !/^https?:\/\/[^/\s]+/.test(url))
    throw new InputError('url', `expected the site's URL such as https://www.example.com, got '${url}'`);
  const serviceName = getString(src, 'service-name') ? getServiceName(src) : '';
  const region = getRegion(src);
  const backupBucket = getLockBucket(src, 'backup-bucket');
  const backupsUnder = getBackupPrefix(src, 'backup-prefix');
  if (!bucket && !serviceName && !backupBucket)
    throw new InputError(
      'bucket',
      'give at least one of bucket (the SPA), service-name (the API), backup-bucket (the backups)',
    );
  return { bucket, prefix, url, serviceName, region, backupBucket, backupsUnder };
}

export async function opsStatusJob(
  { bucket, prefix, url, serviceName, backupBucket, backupsUnder }: OpsStatusInputs,
  clients: OpsClients,
  reporter: Reporter,
): Promise<OpsStatusResult> {
  const rows: Row[] = [];
  const result: OpsStatusResult = { rows };
  const part = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      rows.push([name, 'error', describeError(err), '✘']);
    }
  };
  const s3 = clients.s3;
  if (bucket) await part('SPA', () => spaRows(s3, bucket, prefix, url, rows, result));
  if (serviceName) await part('API', () => apiRows(clients.lightsail, serviceName, rows, result, reporter));
  if (backupBucket) await part('Backup', () => backupRows(s3, backupBucket, backupsUnder, rows, result));
  return result;
}

/** What `status` read: its table's rows, and each part's values when it was asked for and could be read. */
export interface OpsStatusResult {
  rows: Row[];
  releaseId?: string;
  liveMatches?: boolean;
  apiVersion?: number;
  apiState?: string;
  backupKey?: string;
  backupAgeHours?: number;
}

export const OPS_STATUS_OUTPUTS: Outputs<OpsStatusResult> = {
  'release-id': (r) => r.releaseId,
  'live-matches': (r) => r.liveMatches,
  'api-version': (r) => r.apiVersion,
  'api-state': (r) => r.apiState,
  'backup-key': (r) => r.backupKey,
  'backup-age-hours': (r) => r.backupAgeHours,
};

/** `status`'s summary: one table of every part, with what needs attention counted in the title. */
export function reportOpsStatus({ rows }: OpsStatusResult, _inputs: unknown, reporter: Reporter): void {
  const bad = rows.filter((r) => r[3] === '✘').length;
  reporter.summary({
    title: `Production status${bad ? `: ${bad} item(s) need attention` : ''}`,
    table: [['Part', 'Item', 'Value', 'OK'], ...rows],
  });
}

async function spaRows(
  s3: S3Client,
  bucket: string,
  prefix: string,
  url: string,
  rows: Row[],
  result: OpsStatusResult,
): Promise<void> {
  await checkBucket(s3, bucket);
  const state = await listBucket(s3, bucket, prefix);
  const ids = [...state.releases.keys()].sort();
  const id = ids.at(-1);
  if (!id) {
    rows.push(['SPA', 'release', `none in s3://${bucket}/${prefix}_releases/`, '✘']);
  } else {
    const m = await getManifest(s3, bucket, prefix, id);
    rows.push([
      'SPA',
      'release',
      `${id} (${Object.keys(m.files).length} files, ${m.createdAt})${m.restoredFrom ? `, rollback to ${m.restoredFrom}` : ''}`,
      '✔',
    ]);
    result.releaseId = id;
    if (url) {
      const live = await fetchWhole(siteUrl(url, '/'));
      const same = live.status === 200 && md5(live.body) === m.files['index.html']?.md5;
      let value = same
        ? `matches (${url})`
        : live.status === 200
          ? 'differs: CloudFront still serves another index.html (invalidation pending?)'
          : `${url} answers ${live.error ?? `HTTP ${live.status}`}`;
      if (!same && live.status === 200) {
        for (const other of ids.slice(0, -1).reverse()) {
          if (md5(live.body) === (await getManifest(s3, bucket, prefix, other)).files['index.html']?.md5)
            value = `differs: the live index.html is release ${other}`;
        }
      }
      rows.push(['SPA', 'live index.html', value, same ? '✔' : '✘']);
      result.liveMatches = same;
    }
  }
  const lock = await readLock(s3, bucket);
  rows.push(['SPA', 'deploy lock', lock ? describeLock(lock) : 'none', lock ? '✘' : '✔']);
}

/** The digest an image is pinned to, or what it is instead. */
function digestOf(image: string): string {
  return (
    /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1] ??
    (image.startsWith(':') ? 'image pushed to the service' : 'none (a tag: deploy by digest)')
  );
}

async function apiRows(
  lightsail: LightsailClient,
  serviceName: string,
  rows: Row[],
  result: OpsStatusResult,
  reporter: Reporter,
): Promise<void> {
  const svc = await getService(lightsail, serviceName);
  const d: ContainerServiceDeployment | undefined = svc.currentDeployment;
  for (const v of environmentValues(d)) reporter.secret(v);
  rows.push([
    'API',
    'service',
    `${serviceName}: ${stateLine(svc)}`,
    svc.state === 'RUNNING' || svc.state === 'DEPLOYING' ? '✔' : '✘',
  ]);
  if (!d) {
    rows.push(['API', 'version', 'no deployment is serving', '✘']);
    return;
  }
  const container = d.publicEndpoint?.containerName ?? Object.keys(d.containers ?? {})[0] ?? '';
  const image = d.containers?.[container]?.image ?? '?';
  rows.push([
    'API',
    'version',
    `${d.version} ${d.state ?? ''} since ${d.createdAt?.toISOString() ?? '?'}`,
    d.state === 'ACTIVE' ? '✔' : '✘',
  ]);
  rows.push(['API', 'image', image, '']);
  rows.push(['API', 'digest', digestOf(image), image.includes('@sha256:') || image.startsWith(':') ? '✔' : '✘']);
  if (svc.nextDeployment)
    rows.push(['API', 'deploying', `version ${svc.nextDeployment.version} ${svc.nextDeployment.state ?? ''}`, '']);
  result.apiVersion = d.version ?? 0;
  result.apiState = d.state ?? '';
  if (svc.url) {
    const health = urlWithPath(svc.url, d.publicEndpoint?.healthCheck?.path ?? '/');
    const r = await fetchWhole(health, 10000);
    const ok = r.status >= 200 && r.status < 300;
    rows.push(['API', 'health', `GET ${health} → ${r.error ?? r.status}`, ok ? '✔' : '✘']);
  }
}

/** What `<key>.manifest.json` says about the restore drill, if it records one. */
function drillResult(manifest: Record<string, unknown>): string | undefined {
  const d = (manifest.drill ?? manifest.restoreDrill) as Record<string, unknown> | string | undefined;
  if (!d) return undefined;
  if (typeof d === 'string') return d;
  const result = d.result ?? d.status ?? (typeof d.ok === 'boolean' ? (d.ok ? 'passed' : 'failed') : undefined);
  const at = d.at ?? d.finishedAt ?? d.time;
  return `${String(result ?? 'recorded')}${at ? ` (${String(at)})` : ''}`;
}

async function backupRows(
  s3: S3Client,
  bucket: string,
  prefix: string,
  rows: Row[],
  result: OpsStatusResult,
): Promise<void> {
  const newest = (await listBackups(s3, bucket, prefix))[0];
  if (!newest) {
    rows.push(['Backup', 'newest', `none under s3://${bucket}/${prefix}`, '✘']);
    return;
  }
  const hours = (Date.now() - newest.name.time.getTime()) / 3_600_000;
  const age = hours >= 48 ? `${(hours / 24).toFixed(1)} days` : `${hours.toFixed(1)} hours`;
  rows.push([
    'Backup',
    'newest',
    `${newest.key} (${age} old, ${humanSize(newest.size)})`,
    hours <= BACKUP_MAX_AGE_HOURS ? '✔' : '✘',
  ]);
  result.backupKey = newest.key;
  result.backupAgeHours = Math.round(hours);
  let manifest: Record<string, unknown> | undefined;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${newest.key}.manifest.json` }));
    manifest = JSON.parse(await (res.Body as { transformToString(): Promise<string> }).transformToString()) as Record<
      string,
      unknown
    >;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404 && (err as { name?: string }).name !== 'NoSuchKey') throw err;
  }
  const drill = manifest ? drillResult(manifest) : undefined;
  rows.push([
    'Backup',
    'drill',
    !manifest ? 'no manifest (no restore drill recorded)' : (drill ?? 'manifest without a drill record'),
    drill ? (/fail|error/i.test(drill) ? '✘' : '✔') : '',
  ]);
}
