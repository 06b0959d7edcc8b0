import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeError, OpsError } from '../core/errors.js';
import type { ServerIdentity } from './server-identity.js';
import type { TableData } from './sql-scanner.js';

/**
 * `<key>.manifest.json`, written next to the backup (and its `<key>.sha256`, which stays: `sha256sum -c` checks a
 * downloaded pair with it). What the dump held, counted from the SQL stream as it was uploaded (no second pass over
 * the database): every table's row count and a sha256 of its COPY data, the versions, the sizes, and who the source
 * server was (so a drill never restores into it).
 */
export const MANIFEST_SUFFIX = '.manifest.json';
export const MANIFEST_FORMAT = 'shisha-ops-backup-manifest/1';

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  /** File name of the backup (not the whole key: the pair may be downloaded and moved together). */
  file: string;
  createdAt: string;
  database: string;
  serverVersion: string;
  pgDumpVersion: string;
  /** sha256 and sizes of the object, as in `<key>.sha256`. */
  sha256: string;
  compressedSize: number;
  uncompressedSize: number;
  source: ServerIdentity;
  /** Session settings the COPY text depends on (timestamptz, bytea): a drill reads the target with the same. */
  settings: { timeZone: string; byteaOutput: string };
  tables: TableData[];
  /** The restore drill run right after the backup (db-backup's drill-url), added once it finished. */
  drill?: { result: 'passed' | 'failed'; at: string; tables: number };
}

export async function writeManifest(s3: S3Client, bucket: string, key: string, m: BackupManifest): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key + MANIFEST_SUFFIX,
      Body: `${JSON.stringify(m, null, 1)}\n`,
      ContentType: 'application/json; charset=utf-8',
      ServerSideEncryption: 'AES256',
    }),
  );
}

/** The manifest of a backup, or undefined when there is none (older backups, or one written by hand). */
export async function readManifest(s3: S3Client, bucket: string, key: string): Promise<BackupManifest | undefined> {
  let text: string;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key + MANIFEST_SUFFIX }));
    text = (await res.Body?.transformToString()) ?? '';
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw new OpsError(`GetObject s3://${bucket}/${key}${MANIFEST_SUFFIX}: ${describeError(err)}`, { cause: err });
  }
  return parseManifest(text, `s3://${bucket}/${key}${MANIFEST_SUFFIX}`);
}

export function parseManifest(text: string, where: string): BackupManifest {
  let m: BackupManifest;
  try {
    m = JSON.parse(text) as BackupManifest;
  } catch {
    throw new OpsError(`${where} is not valid JSON`);
  }
  const tablesOk =
    Array.isArray(m?.tables) &&
    m.tables.every(
      (t) =>
        typeof t?.name === 'string' &&
        typeof t.copy === 'string' &&
        Number.isInteger(t.rows) &&
        /^[0-9a-f]{64}$/.test(t.sha256),
    );
  if (m?.format !== MANIFEST_FORMAT || !tablesOk || !/^[0-9a-f]{64}$/.test(m.sha256)) {
    throw new OpsError(`${where} is not a ${MANIFEST_FORMAT} manifest`);
  }
  return m;
}

export interface TableComparison {
  name: string;
  expectedRows: number | undefined;
  gotRows: number | undefined;
  match: boolean;
}

/** Table by table, what the manifest recorded against what was found (rows and data checksum). Pure. */
export function compareTables(expected: TableData[], got: TableData[]): TableComparison[] {
  const byCopy = new Map(got.map((t) => [t.copy, t]));
  const out: TableComparison[] = expected.map((e) => {
    const g = byCopy.get(e.copy);
    byCopy.delete(e.copy);
    return {
      name: e.name,
      expectedRows: e.rows,
      gotRows: g?.rows,
      match: g !== undefined && g.rows === e.rows && g.sha256 === e.sha256,
    };
  });
  for (const g of byCopy.values()) out.push({ name: g.name, expectedRows: undefined, gotRows: g.rows, match: false });
  return out;
}

/** One line naming the first few differing tables. */
export function describeMismatch(rows: TableComparison[]): string {
  const bad = rows.filter((r) => !r.match);
  const what = (r: TableComparison) =>
    r.expectedRows === undefined
      ? `${r.name} (not in the manifest)`
      : r.gotRows === undefined
        ? `${r.name} (missing)`
        : r.gotRows !== r.expectedRows
          ? `${r.name} (${r.expectedRows} rows expected, ${r.gotRows} found)`
          : `${r.name} (same row count, different data)`;
  return `${bad.length} table(s) differ from the manifest: ${bad.slice(0, 5).map(what).join(', ')}${bad.length > 5 ? ', ...' : ''}`;
}
